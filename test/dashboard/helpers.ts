// Shared by the dashboard tests: a daemon with processed assets, and pictures to process.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '../..');
export { FIXTURES as fixtures } from '../helpers/fixtures.ts';
export const screenshots = path.join(here, 'screenshots');

/** Runs the real CLI (bin/colophon.js) against a COLOPHON_HOME. */
export async function colophon(home: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [path.join(repo, 'bin/colophon.js'), ...args], {
    env: { ...process.env, COLOPHON_HOME: home },
    maxBuffer: 32 * 1024 * 1024,
    timeout: 180_000,
  });
}

/** A made-up "render": a few shapes on a gradient, so previews and thumbnails have something to show. */
export async function fakeRender(file: string, hue: number, width = 1600, height = 900): Promise<void> {
  const c = (h: number, l: number) => `hsl(${h % 360},65%,${l}%)`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${c(hue, 70)}"/><stop offset="1" stop-color="${c(hue + 40, 25)}"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <circle cx="${width * 0.72}" cy="${height * 0.3}" r="${height * 0.14}" fill="${c(hue + 180, 80)}"/>
    <polygon points="0,${height} ${width * 0.3},${height * 0.45} ${width * 0.55},${height} " fill="${c(hue + 200, 20)}"/>
    <polygon points="${width * 0.35},${height} ${width * 0.65},${height * 0.35} ${width},${height}" fill="${c(hue + 220, 30)}"/>
    <rect x="${width * 0.1}" y="${height * 0.1}" width="${width * 0.12}" height="${height * 0.25}" fill="${c(hue + 90, 55)}" transform="rotate(12 ${width * 0.16} ${height * 0.22})"/>
  </svg>`;
  await sharp(Buffer.from(svg)).png().toFile(file);
}

/** A texture-ish map for packs. */
export async function fakeTexture(file: string, seed: number, edge = 1024): Promise<void> {
  const noise = Buffer.alloc(edge * edge * 3);
  let x = seed * 2654435761;
  for (let i = 0; i < noise.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    noise[i] = (x >>> 24) & 0xff;
  }
  await sharp(noise, { raw: { width: edge, height: edge, channels: 3 } }).blur(2).png().toFile(file);
}

export async function ensureDir(dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  return dir;
}
