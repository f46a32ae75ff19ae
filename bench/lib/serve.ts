// Helpers shared by the benches that drive a real `colophon serve` child (daemon, pipeline's F12 case).
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

const repo = path.resolve(import.meta.dirname, '..', '..');

export interface Served {
  url: string;
  token: string;
  pid: number;
  stop: () => Promise<void>;
}

/** Starts `colophon serve --port 0` on the home `dir` and waits for its daemon.json; `quiet` drops its banner. */
export async function startServe(dir: string, extraNodeArgs: string[] = [], quiet = false): Promise<Served> {
  const child = spawn(process.execPath, [...extraNodeArgs, path.join(repo, 'bin', 'colophon.js'), 'serve', '--port', '0', '--quiet'], {
    env: { ...process.env, COLOPHON_HOME: dir }, stdio: ['ignore', 'ignore', quiet ? 'ignore' : 'inherit'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  for (let i = 0; i < 600; i++) {
    const info = await fs.readFile(path.join(dir, 'daemon.json'), 'utf8').then(JSON.parse).catch(() => null);
    if (info?.pid === child.pid) {
      const token = (await fs.readFile(path.join(dir, 'token'), 'utf8')).trim();
      const stop = async () => {
        if (child.exitCode == null) child.kill('SIGTERM');
        await exited;
      };
      return { url: info.url, token, pid: child.pid!, stop };
    }
    if (child.exitCode != null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (child.exitCode == null) child.kill('SIGTERM');
  throw new Error('daemon did not start');
}

export async function peakRssMiB(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** A 1920×1080 16-bit RGB PNG (as Blender writes with Color Depth 16) with a gradient and some noise. */
export async function png16(file: string, seed: number): Promise<void> {
  const w = 1920, h = 1080;
  const px = new Uint16Array(w * h * 3);
  let s = seed * 7919 + 1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const i = (y * w + x) * 3;
      px[i] = (x * 34) & 0xffff;
      px[i + 1] = (y * 60 + (s & 0x3ff)) & 0xffff;
      px[i + 2] = ((x + y) * 20 + seed * 999) & 0xffff;
    }
  }
  await sharp(Buffer.from(px.buffer), { raw: { width: w, height: h, channels: 3 } }).toColourspace('rgb16').png().toFile(file);
}
