import fs from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic.ts';

/** daemon.json (SPEC §2): how the add-on finds a running daemon. */
const DaemonInfoSchema = z.object({
  url: z.string(),
  pid: z.number().int().positive(),
  version: z.string(),
});
export type DaemonInfo = z.infer<typeof DaemonInfoSchema>;

async function readDaemonInfo(file: string): Promise<DaemonInfo | null> {
  try {
    const parsed = DaemonInfoSchema.safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function writeDaemonInfo(file: string, info: DaemonInfo): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(info, null, 2) + '\n');
}

/** Removes daemon.json only if it still names this process (a newer daemon may have replaced it). */
export async function removeDaemonInfo(file: string, pid: number): Promise<void> {
  const info = await readDaemonInfo(file);
  if (info?.pid === pid) await fs.rm(file, { force: true });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The daemon daemon.json names, if it is really running: its pid is alive and its /healthz answers
 * (a reused pid after a crash must not block a new daemon). null means the file is absent or stale.
 */
export async function liveDaemon(file: string): Promise<DaemonInfo | null> {
  const info = await readDaemonInfo(file);
  if (info == null || info.pid === process.pid || !pidAlive(info.pid)) return null;
  const health = info.url.replace(/^ws:/, 'http:').replace(/\/ws$/, '/healthz');
  try {
    const res = await fetch(health, { signal: AbortSignal.timeout(1500) });
    const body = (await res.json()) as { name?: string };
    return res.ok && body.name === 'colophon' ? info : null;
  } catch {
    return null;
  }
}
