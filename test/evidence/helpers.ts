import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

/** A deterministic pseudo-random generator, so the generated "renders" are the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * A synthetic render: a lit backdrop with a few shaded objects, different for each seed. Stands in for a
 * Blender beauty pass where a real render would be slow on a shared machine.
 */
export async function makeRender(file: string, seed: number, width = 480, height = 320): Promise<string> {
  const r = rng(seed);
  const hue = () => Math.floor(r() * 360);
  const shapes: string[] = [];
  for (let i = 0; i < 4 + Math.floor(r() * 4); i++) {
    const cx = Math.floor(r() * width), cy = Math.floor(r() * height), rad = 20 + Math.floor(r() * 90);
    const h = hue();
    shapes.push(
      r() < 0.5
        ? `<circle cx="${cx}" cy="${cy}" r="${rad}" fill="url(#g${i})"/>`
        : `<rect x="${cx - rad}" y="${cy - rad / 2}" width="${rad * 2}" height="${rad}" transform="rotate(${Math.floor(r() * 90)} ${cx} ${cy})" fill="url(#g${i})"/>`,
    );
    shapes.unshift(`<radialGradient id="g${i}" cx="35%" cy="30%"><stop offset="0" stop-color="hsl(${h},70%,80%)"/><stop offset="1" stop-color="hsl(${h},60%,${15 + Math.floor(r() * 30)}%)"/></radialGradient>`);
  }
  const bg1 = hue(), bg2 = hue(), angle = Math.floor(r() * 360);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<defs><linearGradient id="bg" gradientTransform="rotate(${angle} .5 .5)"><stop offset="0" stop-color="hsl(${bg1},40%,${20 + Math.floor(r() * 50)}%)"/><stop offset="1" stop-color="hsl(${bg2},50%,${10 + Math.floor(r() * 60)}%)"/></linearGradient>
${shapes.filter((s) => s.startsWith('<radial')).join('\n')}</defs>
<rect width="100%" height="100%" fill="url(#bg)"/>
${shapes.filter((s) => !s.startsWith('<radial')).join('\n')}
</svg>`;
  await fs.mkdir(path.dirname(file), { recursive: true });
  await sharp(Buffer.from(svg)).png().toFile(file);
  return file;
}

/** The four transformations a copier typically applies. Returns the written files by name. */
export async function makeCopies(source: string, dir: string, stem: string): Promise<Record<string, string>> {
  await fs.mkdir(dir, { recursive: true });
  const buf = await sharp(source, { failOn: 'none' }).rotate().png().toBuffer();
  const { width: w = 0, height: h = 0 } = await sharp(buf).metadata();
  const out: Record<string, string> = {
    half: path.join(dir, `${stem}-half.png`),
    q60: path.join(dir, `${stem}-q60.jpg`),
    watermarked: path.join(dir, `${stem}-wm.jpg`),
    crop5: path.join(dir, `${stem}-crop5.png`),
  };
  await sharp(buf).resize(Math.round(w / 2)).toFile(out.half!);
  await sharp(buf).jpeg({ quality: 60 }).toFile(out.q60!);
  const mark = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><text x="${Math.round(w * 0.06)}" y="${Math.round(h * 0.9)}" font-family="sans-serif" font-size="${Math.max(10, Math.round(h / 9))}" fill="white" fill-opacity="0.55">reposted by someone</text></svg>`,
  );
  await sharp(buf).composite([{ input: mark }]).jpeg({ quality: 85 }).toFile(out.watermarked!);
  const cw = Math.floor(w * 0.95), ch = Math.floor(h * 0.95);
  await sharp(buf).extract({ left: Math.floor((w - cw) / 2), top: Math.floor((h - ch) / 2), width: cw, height: ch }).toFile(out.crop5!);
  return out;
}

export function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const BIN = path.resolve(import.meta.dirname, '../../bin/colophon.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI with COLOPHON_HOME set; never throws on a non-zero exit. */
export function cli(home: string, args: string[], cwd?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, COLOPHON_HOME: home }, cwd: cwd ?? home, timeout: 120_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err == null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}
