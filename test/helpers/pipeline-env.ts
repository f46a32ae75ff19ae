import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { parseProfile } from '../../server/config.ts';
import { Ledger } from '../../server/ledger/ledger.ts';
import { resolvePaths } from '../../server/paths.ts';
import { closeExifTool } from '../../server/pipeline/exiftool.ts';
import type { PipelineEnv } from '../../server/pipeline/process.ts';
import type { ProfileInput } from '../../protocol/src/profile.ts';

export { FIXTURES } from './fixtures.ts';
export const run = promisify(execFile);

interface TapLike {
  teardown(fn: () => unknown): void;
}

/** A fresh COLOPHON_HOME with a profile and ledger; exiftool is ended when the test file's root test ends. */
export async function makeEnv(t: TapLike, profile: ProfileInput = { creator: { name: 'Jane Artist', email: 'jane@example.org', url: 'https://jane.example.org' } }): Promise<PipelineEnv & { home: string }> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-test-'));
  const paths = resolvePaths({ COLOPHON_HOME: home });
  const { profile: p } = parseProfile(profile, 'test profile', paths);
  t.teardown(async () => {
    await closeExifTool();
    await fs.rm(home, { recursive: true, force: true });
  });
  return { home, profile: p, outRoot: path.join(home, 'out'), ledger: new Ledger(paths.ledger), configDir: paths.configDir };
}

/** A small generated picture with some structure (gradient + shapes), so hashes and previews are meaningful. */
export async function makeImage(file: string, width: number, height: number, opts: { format?: 'png' | 'jpeg' | 'webp' | 'tiff'; depth16?: boolean; seed?: number } = {}): Promise<string> {
  const seed = opts.seed ?? 1;
  const svg = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${(seed * 67) % 360},70%,40%)"/>` +
      `<stop offset="1" stop-color="hsl(${(seed * 131) % 360},60%,70%)"/></linearGradient></defs>` +
      `<rect width="100%" height="100%" fill="url(#g)"/>` +
      `<circle cx="${width * (0.3 + (seed % 3) * 0.15)}" cy="${height * 0.4}" r="${Math.min(width, height) * 0.2}" fill="#fff" fill-opacity="0.8"/>` +
      `<rect x="${width * 0.55}" y="${height * (0.5 + (seed % 2) * 0.1)}" width="${width * 0.3}" height="${height * 0.25}" fill="#123" /></svg>`,
  );
  let img = sharp(svg);
  const format = opts.format ?? 'png';
  if (opts.depth16) img = img.toColourspace('rgb16');
  await fs.mkdir(path.dirname(file), { recursive: true });
  await img.toFormat(format).toFile(file);
  return file;
}

export async function exiv2(args: string[]): Promise<string> {
  const { stdout } = await run('exiv2', args, { maxBuffer: 16 << 20 }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  return stdout;
}

export async function hasCommand(cmd: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${cmd}`]).then(() => true, () => false);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A syntactically valid PNG whose header claims the given size (its pixel data is tiny and wrong). */
export function pngClaiming(w: number, h: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr), pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Adds tEXt chunks before IEND, as Blender writes its stamp fields. */
export function withPngText(png: Buffer, fields: Record<string, string>): Buffer {
  const iend = png.length - 12;
  const chunks = Object.entries(fields).map(([k, v]) => pngChunk('tEXt', Buffer.from(`${k}\0${v}`, 'latin1')));
  return Buffer.concat([png.subarray(0, iend), ...chunks, png.subarray(iend)]);
}
