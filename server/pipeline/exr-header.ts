import fs from 'node:fs/promises';
import { ColophonError } from '../errors.ts';

interface ExrChannel {
  name: string;
  /** 0 = uint, 1 = half, 2 = float. */
  pixelType: number;
  xSampling: number;
  ySampling: number;
}

export interface ExrBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** One part (single-part files have one) as its header describes it. */
export interface ExrPart {
  name?: string;
  /** scanlineimage, tiledimage, deepscanline, deeptile (from the `type` attribute or the version flags). */
  type: string;
  channels: ExrChannel[];
  dataWindow: ExrBox;
  displayWindow: ExrBox;
  compression: number;
}

export interface ExrInfo {
  /** The picture's size: the display window of the first part (what a viewer shows). */
  width: number;
  height: number;
  /** Channel names of the first part. */
  channels: string[];
  compression: number;
  tiled: boolean;
  multipart: boolean;
  deep: boolean;
  parts: ExrPart[];
  /** The header names the camera that made it (cameraMake / cameraModel attributes). */
  cameraMade: boolean;
}

const MAX_HEADER = 1 << 20;
const MAX_PARTS = 1024;

/**
 * Reads the OpenEXR header(s) (every part's attributes, no pixels), so size limits and damage are found
 * before any large allocation and the decoder can pick a part and channels.
 */
export async function readExrHeader(file: string): Promise<ExrInfo> {
  const fh = await fs.open(file, 'r');
  let buf: Buffer;
  try {
    const { size } = await fh.stat();
    buf = Buffer.alloc(Math.min(size, MAX_HEADER));
    await fh.read(buf, 0, buf.length, 0);
  } finally {
    await fh.close();
  }
  const bad = (why: string) =>
    new ColophonError('CORRUPT_FILE', `${file} is not a readable OpenEXR file: ${why}. Re-export it from Blender or your compositor.`);
  if (buf.length < 8 || buf.readUInt32LE(0) !== 20000630) throw bad('wrong magic number');
  const flags = buf.readUInt32LE(4);
  const tiled = (flags & 0x200) !== 0;
  const deep = (flags & 0x800) !== 0;
  const multipart = (flags & 0x1000) !== 0;
  let pos = 8;
  let cameraMade = false;
  const cstr = () => {
    const end = buf.indexOf(0, pos);
    if (end === -1 || end - pos > 255) throw bad('header is truncated or malformed');
    const s = buf.subarray(pos, end).toString('latin1');
    pos = end + 1;
    return s;
  };
  const box = (v: Buffer): ExrBox => ({ x0: v.readInt32LE(0), y0: v.readInt32LE(4), x1: v.readInt32LE(8), y1: v.readInt32LE(12) });
  const readPart = (): ExrPart | null => {
    const part: Partial<ExrPart> & { channels: ExrChannel[] } = { channels: [], compression: -1 };
    let attrs = 0;
    for (;;) {
      const name = cstr();
      if (name === '') break;
      attrs++;
      const type = cstr();
      if (pos + 4 > buf.length) throw bad('header is truncated');
      const size = buf.readInt32LE(pos);
      pos += 4;
      if (size < 0 || pos + size > buf.length) throw bad(`attribute "${name}" has an impossible size`);
      const v = buf.subarray(pos, pos + size);
      if (name === 'dataWindow' && type === 'box2i' && size === 16) part.dataWindow = box(v);
      else if (name === 'displayWindow' && type === 'box2i' && size === 16) part.displayWindow = box(v);
      else if (name === 'channels' && type === 'chlist') {
        let p = 0;
        while (p < v.length && v[p] !== 0) {
          const end = v.indexOf(0, p);
          if (end === -1 || end + 17 > v.length) throw bad('channel list is malformed');
          const at = end + 1;
          part.channels.push({ name: v.subarray(p, end).toString('latin1'), pixelType: v.readInt32LE(at), xSampling: v.readInt32LE(at + 8), ySampling: v.readInt32LE(at + 12) });
          p = at + 16;
        }
      } else if (name === 'compression' && size === 1) part.compression = v[0]!;
      else if (name === 'name' && type === 'string') part.name = v.toString('latin1');
      else if (name === 'type' && type === 'string') part.type = v.toString('latin1');
      else if ((name === 'cameraMake' || name === 'cameraModel') && type === 'string' && size > 0) cameraMade = true;
      pos += size;
    }
    if (attrs === 0) return null;
    return part as ExrPart;
  };
  const parts: ExrPart[] = [];
  for (;;) {
    const part = readPart();
    if (part == null) break;
    if (part.dataWindow == null) throw bad('it has no valid data window');
    part.displayWindow ??= part.dataWindow;
    part.type ??= deep ? (tiled ? 'deeptile' : 'deepscanline') : tiled ? 'tiledimage' : 'scanlineimage';
    parts.push(part);
    if (!multipart || parts.length >= MAX_PARTS) break;
  }
  const first = parts[0];
  if (first == null) throw bad('it has no header');
  const w = (b: ExrBox) => b.x1 - b.x0 + 1;
  const h = (b: ExrBox) => b.y1 - b.y0 + 1;
  for (const p of parts) {
    if (w(p.dataWindow) <= 0 || h(p.dataWindow) <= 0 || w(p.displayWindow) <= 0 || h(p.displayWindow) <= 0) throw bad('it has no valid data window');
    if (p.channels.length === 0) throw bad('it has no channels');
    if (p.channels.some((c) => c.xSampling < 1 || c.ySampling < 1)) throw bad('a channel has an impossible sampling rate');
  }
  return {
    width: w(first.displayWindow),
    height: h(first.displayWindow),
    channels: first.channels.map((c) => c.name),
    compression: first.compression,
    tiled,
    multipart,
    deep: deep || parts.some((p) => p.type.startsWith('deep')),
    parts,
    cameraMade,
  };
}

export const boxWidth = (b: ExrBox): number => b.x1 - b.x0 + 1;
export const boxHeight = (b: ExrBox): number => b.y1 - b.y0 + 1;
