// Wall time, CPU time and peak RSS of a command, the way `/usr/bin/time` reports them (CPU and RSS include every
// child process the command waited for), plus a note of the machine's load next to each figure.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Measured {
  wallS: number;
  cpuS: number;
  /** Largest resident set of the command or any one child it waited for (GNU time's %M), in MB. */
  peakRssMB: number;
  status: number | null;
  stdout: string;
  stderr: string;
  load: number;
}

export function timeCommand(cmd: string, args: string[], opts: SpawnSyncOptions = {}): Measured {
  const out = path.join(os.tmpdir(), `colophon-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  // Writes an earlier run left in the page cache are flushed first, untimed: the floor's copies (never fsynced) would
  // otherwise reach the disk during the next run and be charged to it.
  spawnSync('sync');
  const load = os.loadavg()[0]!;
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', '-o', out, cmd, ...args], { encoding: 'utf8', maxBuffer: 256 << 20, ...opts });
  const wallS = (performance.now() - t0) / 1000;
  const line = fs.readFileSync(out, 'utf8').trim().split('\n').at(-1) ?? '';
  fs.rmSync(out, { force: true });
  const [user, sys, rssKb] = line.split(' ').map(Number);
  return { wallS, cpuS: (user ?? NaN) + (sys ?? NaN), peakRssMB: (rssKb ?? NaN) / 1024, status: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), load };
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export const loadNote = (load = os.loadavg()[0]!): string => `load ${load.toFixed(1)} on ${os.availableParallelism()} cores`;

/** "target met" / "NOT met" for a ratio against its target. */
export const verdict = (ok: boolean): string => (ok ? 'target met' : 'NOT met');

/** User+system CPU seconds of this process and its children: own (all threads), reaped children, live descendants. */
export function cpuSecondsWithDescendants(): number {
  const tick = 100; // USER_HZ on Linux
  const self = fs.readFileSync('/proc/self/stat', 'utf8');
  const f = self.slice(self.lastIndexOf(')') + 2).split(' ');
  // Fields after the name start at 3 (state): utime 14, stime 15, cutime 16, cstime 17.
  let ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  for (const pid of descendants(process.pid)) {
    try {
      const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const g = s.slice(s.lastIndexOf(')') + 2).split(' ');
      ticks += Number(g[11]) + Number(g[12]);
    } catch {
      // the child ended between listing and reading
    }
  }
  return ticks / tick;
}

function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const s = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [pid, pp] of parent) if (pp === p) { out.push(pid); walk(pid); }
  };
  walk(root);
  return out;
}
