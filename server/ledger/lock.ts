import fs from 'node:fs/promises';

const STALE_AFTER_MS = 30_000;

/**
 * A cross-process lock: a file created with O_EXCL holding the owner's pid. A lock whose owner is
 * gone (crashed) or that is older than STALE_AFTER_MS is broken, so a SIGKILL never wedges the ledger.
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    try {
      const fh = await fs.open(lockPath, 'wx', 0o600);
      await fh.writeFile(String(process.pid));
      await fh.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (await isStale(lockPath)) {
        await fs.rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${lockPath}`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lockPath, { force: true });
  }
}

async function isStale(lockPath: string): Promise<boolean> {
  try {
    const [text, st] = await Promise.all([fs.readFile(lockPath, 'utf8'), fs.stat(lockPath)]);
    const pid = Number(text);
    if (Date.now() - st.mtimeMs > STALE_AFTER_MS) return true;
    if (!Number.isInteger(pid) || pid <= 0) return Date.now() - st.mtimeMs > 1000;
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch {
    return false;
  }
}
