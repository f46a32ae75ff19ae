import { execFile } from 'node:child_process';
import { ColophonError } from '../../errors.ts';

/** A Debian tool Colophon can use as a decoder, and the package that installs it. */
export interface Tool {
  command: string;
  debianPackage: string;
}

export const OIIOTOOL: Tool = { command: 'oiiotool', debianPackage: 'openimageio-tools' };
export const VIPS: Tool = { command: 'vips', debianPackage: 'libvips-tools' };

/** The tool is not installed on this machine (not: the file is bad). */
export class ToolMissingError extends Error {
  constructor(readonly tool: Tool) {
    super(`${tool.command} is not installed (Debian/Ubuntu package ${tool.debianPackage})`);
  }
}

/** The tool ran and refused the file; `detail` is the first line it printed about why. */
export class ToolFailedError extends Error {
  constructor(readonly tool: Tool, readonly detail: string) {
    super(`${tool.command}: ${detail}`);
  }
}

const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * Runs a decoder tool with a time limit; it is killed when the limit passes or `signal` aborts, so it never
 * outlives the request that started it. Output goes to files the caller names, so stdout stays small.
 */
export function runTool(tool: Tool, args: string[], opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      tool.command,
      args,
      { timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 4 << 20, signal: opts.signal, env: childEnv() },
      (err, stdout, stderr) => {
        if (err == null) {
          resolve({ stdout, stderr });
          return;
        }
        const e = err as NodeJS.ErrnoException & { killed?: boolean };
        if (e.code === 'ENOENT') reject(new ToolMissingError(tool));
        else if (e.name === 'AbortError') reject(new ColophonError('CANCELLED', 'Processing was cancelled before this file finished; nothing was left half-written.', { cause: err }));
        else if (e.killed === true) reject(new ToolFailedError(tool, `did not finish within ${Math.round((opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s`));
        else reject(new ToolFailedError(tool, firstLine(stderr) || firstLine(stdout) || e.message));
      },
    );
  });
}

/**
 * sharp's bundled libvips sets VIPSHOME to its own build prefix in this process; inherited, it makes the
 * system's vips look for its loaders (heif, openexr) there and find none.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  delete env.VIPSHOME;
  return env;
}

function firstLine(s: string): string {
  return (s.split('\n').find((l) => l.trim() !== '' && !/^Full command line/i.test(l)) ?? '').replace(/^oiiotool ERROR:\s*/i, '').trim().slice(0, 300);
}
