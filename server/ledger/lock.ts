import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** A lock this old is stale whoever holds it: a ledger append holds it for milliseconds. */
const STALE_AFTER_MS = 30_000;

/** Another live process held the lock for longer than the caller would wait. */
export class LockTimeoutError extends Error {
  constructor(message: string, readonly holder: number) {
    super(message);
  }
}

/** Nonces of the locks this process holds, so a lock carrying our own pid is never mistaken for a dead one. */
const held = new Set<string>();

interface Owner {
  pid: number;
  nonce: string;
  mtimeMs: number;
}

/**
 * A cross-process lock that survives kill -9 and breaks stale locks without a race.
 *
 * Hand-written because Node has no flock(2), and lock-file packages break a stale lock by deleting it by path:
 * two breakers race, and the late one deletes the lock the early one has just taken. Here nobody deletes a lock
 * somebody else may validly hold. Locks are numbered files `<lockPath>.<n>`; the holder is the owner of the
 * highest number. To supersede a dead owner of n, a waiter creates n+1 (a symlink whose target is its pid, so
 * the lock is never seen empty, and exactly one waiter wins). A winner then re-lists and steps back
 * if a higher number appeared or a lower one is still alive; otherwise the lower (dead) ones are swept. Two
 * holders at once would need one of them to have judged a live owner dead, which the pid check rules out.
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const lock = await acquire(lockPath, timeoutMs);
  try {
    return await fn();
  } finally {
    await release(lock);
  }
}

interface Held {
  file: string;
  nonce: string;
}

async function acquire(lockPath: string, timeoutMs: number): Promise<Held> {
  const dir = path.dirname(lockPath);
  const base = path.basename(lockPath);
  const deadline = Date.now() + timeoutMs;
  for (let delay = 2; ; ) {
    const gens = await generations(dir, base);
    const top = gens.at(-1);
    let target = 0;
    if (top != null) {
      const owner = await readOwner(path.join(dir, `${base}.${top}`));
      if (owner == null) continue; // released between listing and reading: look again
      if (!isStale(owner)) {
        if (Date.now() > deadline) throw new LockTimeoutError(`timed out waiting for the lock ${lockPath} (held by process ${owner.pid})`, owner.pid);
        await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
        delay = Math.min(delay * 2, 50);
        continue;
      }
      target = top + 1;
    }
    const mine = await tryCreate(dir, base, target);
    if (mine == null) continue; // another waiter took this number first
    // Valid only if nothing higher appeared and nothing lower is still alive (numbering restarts at 0 once
    // every lock is released, so a slow waiter's n+1 may land above a fresh lock 0).
    const after = (await generations(dir, base)).filter((g) => g !== target);
    const lower = after.filter((g) => g < target).map((g) => path.join(dir, `${base}.${g}`));
    const owners = await Promise.all(lower.map(readOwner));
    if (after.some((g) => g > target) || owners.some((o) => o != null && !isStale(o))) {
      await release(mine);
      await new Promise((r) => setTimeout(r, Math.random() * 10));
      continue;
    }
    for (const f of lower) await fs.rm(f, { force: true });
    return mine;
  }
}

async function generations(dir: string, base: string): Promise<number[]> {
  const prefix = `${base}.`;
  const out: number[] = [];
  for (const name of await fs.readdir(dir)) {
    if (!name.startsWith(prefix)) continue;
    const rest = name.slice(prefix.length);
    if (/^\d{1,15}$/.test(rest)) out.push(Number(rest));
  }
  return out.sort((a, b) => a - b);
}

async function tryCreate(dir: string, base: string, gen: number): Promise<Held | null> {
  const nonce = randomBytes(8).toString('hex');
  const file = path.join(dir, `${base}.${gen}`);
  const owner = `${process.pid} ${nonce}`;
  try {
    // A symlink carries its owner in its target, is created whole and exclusively, and needs no data block,
    // so the lock can still be taken on a full disk (the append then fails cleanly with DISK_FULL).
    await fs.symlink(owner, file).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPERM' && err.code !== 'ENOTSUP') throw err;
      await linkedFile(dir, base, owner, file); // Windows without symlink rights
    });
    held.add(nonce);
    return { file, nonce };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw err;
  }
}

/** The same lock as a regular file: written under a temp name, then hard-linked (fails if the name exists). */
async function linkedFile(dir: string, base: string, owner: string, file: string): Promise<void> {
  const tmp = path.join(dir, `.${base}.${owner.split(' ')[1]}.tmp`);
  try {
    await fs.writeFile(tmp, `${owner}\n`, { mode: 0o600 });
    await fs.link(tmp, file);
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

async function release(lock: Held): Promise<void> {
  held.delete(lock.nonce);
  // Only ever remove our own lock (a holder of a higher number may have swept it and another taken the number).
  const owner = await readOwner(lock.file);
  if (owner?.nonce === lock.nonce) await fs.rm(lock.file, { force: true });
}

async function readOwner(file: string): Promise<Owner | null> {
  try {
    const st = await fs.lstat(file);
    const text = st.isSymbolicLink() ? await fs.readlink(file) : await fs.readFile(file, 'utf8');
    const [pid, nonce] = text.trim().split(' ');
    return { pid: Number(pid), nonce: nonce ?? '', mtimeMs: st.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function isStale(o: Owner): boolean {
  if (Date.now() - o.mtimeMs > STALE_AFTER_MS) return true;
  if (!Number.isInteger(o.pid) || o.pid <= 0) return true; // links are made whole, so this is not a lock being written
  if (o.pid === process.pid) return !held.has(o.nonce); // our pid, not our lock: left by an earlier process that had it
  try {
    process.kill(o.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
