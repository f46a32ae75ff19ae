// The one way Colophon starts a child tool (exiftool, Blender, ...): under a memory cap, a time limit and an
// abort signal, and tied to our own life so a `kill -9` of the daemon or the CLI takes the child with it.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface ChildLimits {
  /** Address-space cap (RLIMIT_AS) in bytes; the child gets ENOMEM past it instead of eating the machine. */
  maxMemoryBytes?: number;
  /** Wall-clock limit: SIGTERM, then SIGKILL after a short grace. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const GRACE_MS = 2_000;

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(path.delimiter)) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

let tools: { setpriv: string | null; prlimit: string | null } | undefined;

/**
 * util-linux (part of every Debian/Ubuntu base system) does both jobs by exec, so the child keeps the pid we
 * spawned: `setpriv --pdeathsig KILL` makes the kernel kill the child when we die, however we die (there is no
 * prctl in Node), and `prlimit --as` sets the memory cap. Elsewhere the child runs bare. The kernel does not
 * deliver that signal once the parent has changed its uid (setuid after the spawn), so spawn after dropping.
 */
function wrappers(): { setpriv: string | null; prlimit: string | null } {
  tools ??= process.platform === 'linux' ? { setpriv: onPath('setpriv'), prlimit: onPath('prlimit') } : { setpriv: null, prlimit: null };
  return tools;
}

/** Whether a kill -9 of this process also ends the children it starts (true on Linux with util-linux). */
export function childrenDieWithUs(): boolean {
  return wrappers().setpriv != null;
}

/** The argv that runs `command args` with the parent-death signal and memory cap applied. */
function guardedArgv(command: string, args: readonly string[], limits: Pick<ChildLimits, 'maxMemoryBytes'> = {}): [string, string[]] {
  const { setpriv, prlimit } = wrappers();
  let argv = [command, ...args];
  if (limits.maxMemoryBytes != null && prlimit != null) argv = [prlimit, `--as=${Math.floor(limits.maxMemoryBytes)}`, '--', ...argv];
  if (setpriv != null) argv = [setpriv, '--pdeathsig', 'KILL', '--', ...argv];
  return [argv[0]!, argv.slice(1)];
}

/** spawn() through the guard; `timeoutMs` and `signal` end the child (SIGTERM, then SIGKILL). */
export function spawnGuarded(command: string, args: readonly string[], opts: SpawnOptions & ChildLimits = {}): ChildProcess {
  const { maxMemoryBytes, timeoutMs, signal, ...spawnOpts } = opts;
  const [cmd, argv] = guardedArgv(command, args, maxMemoryBytes != null ? { maxMemoryBytes } : {});
  const child = spawn(cmd, argv, { ...spawnOpts, detached: false });
  const stop = () => {
    if (child.exitCode != null || child.signalCode != null) return;
    child.kill('SIGTERM');
    setTimeout(() => {
      if (child.exitCode == null && child.signalCode == null) child.kill('SIGKILL');
    }, GRACE_MS).unref();
  };
  const timer = timeoutMs != null ? setTimeout(() => {
    (child as ChildProcess & { timedOut?: boolean }).timedOut = true;
    stop();
  }, timeoutMs) : null;
  timer?.unref();
  if (signal?.aborted) stop();
  signal?.addEventListener('abort', stop, { once: true });
  child.once('exit', () => {
    if (timer != null) clearTimeout(timer);
    signal?.removeEventListener('abort', stop);
  });
  return child;
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Ended by `timeoutMs`. */
  timedOut: boolean;
  /** Ended by the abort signal. */
  aborted: boolean;
  /** Could not be started at all (ENOENT, EACCES, ...). */
  spawnError?: Error;
}

/** Runs a child to the end and collects its output (at most `maxBuffer` bytes of each stream are kept). */
export function runGuarded(
  command: string,
  args: readonly string[],
  opts: Omit<SpawnOptions, 'stdio'> & ChildLimits & { maxBuffer?: number } = {},
): Promise<ChildResult> {
  const { maxBuffer = 16 * 1024 * 1024, ...rest } = opts;
  return new Promise((resolve) => {
    const child = spawnGuarded(command, args, { ...rest, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Record<'stdout' | 'stderr', { chunks: Buffer[]; size: number }> = { stdout: { chunks: [], size: 0 }, stderr: { chunks: [], size: 0 } };
    for (const name of ['stdout', 'stderr'] as const) {
      child[name]!.on('data', (d: Buffer) => {
        const o = out[name];
        if (o.size >= maxBuffer) return;
        o.chunks.push(d.subarray(0, maxBuffer - o.size));
        o.size += d.length;
      });
    }
    let spawnError: Error | undefined;
    child.once('error', (err) => (spawnError = err));
    child.once('close', (code, sig) => {
      resolve({
        code,
        signal: sig,
        stdout: Buffer.concat(out.stdout.chunks).toString('utf8'),
        stderr: Buffer.concat(out.stderr.chunks).toString('utf8'),
        timedOut: (child as ChildProcess & { timedOut?: boolean }).timedOut === true,
        aborted: opts.signal?.aborted === true,
        ...(spawnError != null ? { spawnError } : {}),
      });
    });
  });
}
