import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

interface TapLike {
  teardown(fn: () => unknown): void;
}

/** Why a small tmpfs cannot be mounted here (not root, no mount(8), a container without CAP_SYS_ADMIN), or null. */
export function tmpfsUnavailable(): string | null {
  if (process.platform !== 'linux') return `tmpfs mounts need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  return null;
}

/** Mounts a tmpfs of `bytes` on a fresh folder, unmounted when the test ends. Throws with mount's reason. */
export async function mountTmpfs(t: TapLike, bytes: number): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount -t tmpfs failed: ${r.stderr || r.error?.message}`);
  t.teardown(async () => {
    spawnSync('umount', ['-l', dir]);
    await fs.rm(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Fills the filesystem holding `dir` to the last byte with `<dir>/filler`; returns its path (rm it to free space). */
export async function fillDisk(dir: string): Promise<string> {
  const file = path.join(dir, 'filler');
  const fh = await fs.open(file, 'a');
  try {
    for (const size of [1 << 20, 1 << 16, 4096, 256, 1]) {
      const chunk = Buffer.alloc(size, 0x55);
      for (;;) {
        try {
          const { bytesWritten } = await fh.write(chunk);
          if (bytesWritten < size) break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
          break;
        }
      }
    }
  } finally {
    await fh.close();
  }
  return file;
}
