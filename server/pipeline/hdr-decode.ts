import fs from 'node:fs/promises';
import parseExr from 'parse-exr';
import { ColophonError } from '../errors.ts';

/** Linear float pixels, top row first. */
export interface FloatImage {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Float32Array;
}

const FLOAT_TYPE = 1015;

/**
 * Decodes an OpenEXR file in-process (sharp has no EXR loader). parse-exr prints diagnostics to the
 * console on damaged files; they are silenced so they can never corrupt `--json` output on stdout.
 */
export async function decodeExr(file: string): Promise<FloatImage> {
  const bytes = await fs.readFile(file);
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let r: { width: number; height: number; data: Float32Array | Uint16Array; format: number };
  try {
    r = silenced(() => parseExr(ab, FLOAT_TYPE) as typeof r);
  } catch (err) {
    throw new ColophonError('CORRUPT_FILE', `${file} could not be decoded as OpenEXR (${(err as Error).message}). It is damaged or uses an EXR feature Colophon cannot read (deep or multi-part images); save a flat scanline EXR or a PNG next to it.`, { cause: err });
  }
  const channels = r.data.length === r.width * r.height * 4 ? 4 : r.data.length === r.width * r.height * 3 ? 3 : 0;
  if (channels === 0 || !(r.data instanceof Float32Array)) {
    throw new ColophonError('CORRUPT_FILE', `${file} decoded to an unexpected pixel layout; it may be damaged.`);
  }
  // parse-exr returns rows bottom-up (WebGL convention); flip to top-down.
  return { width: r.width, height: r.height, channels, data: flipRows(r.data, r.width, r.height, channels) };
}

function flipRows(src: Float32Array, w: number, h: number, c: number): Float32Array {
  const out = new Float32Array(src.length);
  const row = w * c;
  for (let y = 0; y < h; y++) out.set(src.subarray((h - 1 - y) * row, (h - y) * row), y * row);
  return out;
}

function silenced<T>(fn: () => T): T {
  const saved = { log: console.log, warn: console.warn, error: console.error, info: console.info };
  const quiet = () => undefined;
  console.log = console.warn = console.error = console.info = quiet;
  try {
    return fn();
  } finally {
    Object.assign(console, saved);
  }
}

/** Decodes a Radiance RGBE (.hdr) file: flat or new-style run-length encoded scanlines. */
export async function decodeHdr(file: string, maxPixels: number): Promise<FloatImage> {
  const buf = await fs.readFile(file);
  const bad = (why: string) => new ColophonError('CORRUPT_FILE', `${file} is not a readable Radiance HDR file: ${why}.`);
  let pos = 0;
  const line = () => {
    const end = buf.indexOf(0x0a, pos);
    if (end === -1) throw bad('header is truncated');
    const s = buf.subarray(pos, end).toString('latin1');
    pos = end + 1;
    return s;
  };
  let l = line();
  if (!l.startsWith('#?')) throw bad('missing #? signature');
  let format = '';
  while ((l = line()) !== '') if (l.startsWith('FORMAT=')) format = l.slice(7);
  if (format !== '' && format !== '32-bit_rle_rgbe') throw bad(`unsupported pixel format ${format}`);
  const m = /^-Y (\d+) \+X (\d+)$/.exec(line().trim());
  if (m == null) throw bad('only the standard -Y H +X W orientation is supported');
  const height = Number(m[1]);
  const width = Number(m[2]);
  if (width * height > maxPixels) {
    throw new ColophonError('TOO_LARGE', `${file} is ${width}×${height} pixels, above the limit of ${maxPixels} pixels.`);
  }
  const rgbe = new Uint8Array(width * height * 4);
  const scan = new Uint8Array(width * 4);
  for (let y = 0; y < height; y++) {
    if (pos + 4 > buf.length) throw bad(`data ends at row ${y} of ${height} (truncated)`);
    const rle = width >= 8 && width < 32768 && buf[pos] === 2 && buf[pos + 1] === 2 && ((buf[pos + 2]! << 8) | buf[pos + 3]!) === width;
    if (!rle) {
      const need = width * 4;
      if (pos + need > buf.length) throw bad(`data ends at row ${y} of ${height} (truncated)`);
      rgbe.set(buf.subarray(pos, pos + need), y * need);
      pos += need;
      continue;
    }
    pos += 4;
    for (let c = 0; c < 4; c++) {
      let x = 0;
      while (x < width) {
        if (pos >= buf.length) throw bad(`data ends at row ${y} of ${height} (truncated)`);
        let count = buf[pos++]!;
        if (count > 128) {
          count -= 128;
          if (x + count > width) throw bad('a run overflows its scanline');
          const v = buf[pos++]!;
          for (let i = 0; i < count; i++) scan[(x++) * 4 + c] = v;
        } else {
          if (count === 0 || x + count > width || pos + count > buf.length) throw bad('a literal run is malformed');
          for (let i = 0; i < count; i++) scan[(x++) * 4 + c] = buf[pos++]!;
        }
      }
    }
    rgbe.set(scan, y * width * 4);
  }
  const data = new Float32Array(width * height * 3);
  for (let i = 0, j = 0; i < rgbe.length; i += 4, j += 3) {
    const e = rgbe[i + 3]!;
    const f = e === 0 ? 0 : Math.pow(2, e - 136);
    data[j] = rgbe[i]! * f;
    data[j + 1] = rgbe[i + 1]! * f;
    data[j + 2] = rgbe[i + 2]! * f;
  }
  return { width, height, channels: 3, data };
}

/**
 * Decodes an EXR or Radiance HDR file and tone-maps it to 8-bit sRGB in one step: the form the off-thread pool
 * returns cheaply (a quarter of the float pixels' size to copy back).
 */
export async function decodeToSrgb8(file: string, raster: 'exr' | 'hdr', mode: 'clamp' | 'reinhard', maxPixels: number): Promise<{ raw: Uint8Array; width: number; height: number }> {
  const img = raster === 'exr' ? await decodeExr(file) : await decodeHdr(file, maxPixels);
  return { raw: toneMapToSrgb8(img, mode), width: img.width, height: img.height };
}

/**
 * Linear scene values → 8-bit sRGB. 'clamp' matches Blender's Standard view for renders; 'reinhard'
 * compresses highlights for HDRIs, scaled so the 99th-percentile luminance lands near white.
 */
export function toneMapToSrgb8(img: FloatImage, mode: 'clamp' | 'reinhard'): Buffer {
  const { width, height, channels, data } = img;
  const out = Buffer.alloc(width * height * 3);
  let white = 1;
  if (mode === 'reinhard') {
    const lum: number[] = [];
    const step = Math.max(1, Math.floor((width * height) / 20000));
    for (let p = 0; p < width * height; p += step) {
      const i = p * channels;
      lum.push(0.2126 * data[i]! + 0.7152 * data[i + 1]! + 0.0722 * data[i + 2]!);
    }
    lum.sort((a, b) => a - b);
    white = Math.max(1e-4, lum[Math.floor(lum.length * 0.99)] ?? 1);
  }
  for (let p = 0, o = 0; p < width * height; p++, o += 3) {
    const i = p * channels;
    for (let c = 0; c < 3; c++) {
      let v = data[i + c]!;
      if (!Number.isFinite(v) || v < 0) v = 0;
      if (mode === 'reinhard') {
        v /= white;
        v = (v * (1 + v / 4)) / (1 + v);
      }
      out[o + c] = Math.round(srgbOetf(Math.min(1, v)) * 255);
    }
  }
  return out;
}

function srgbOetf(v: number): number {
  return v <= 0.0031308 ? 12.92 * v : 1.055 * Math.pow(v, 1 / 2.4) - 0.055;
}
