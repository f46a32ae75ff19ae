import fs from 'node:fs/promises';
import { ColophonError } from '../errors.ts';

export interface ExrInfo {
  width: number;
  height: number;
  channels: string[];
  compression: number;
  tiled: boolean;
  multipart: boolean;
  deep: boolean;
}

const MAX_HEADER = 1 << 20;

/**
 * Reads the OpenEXR header (attributes up to the first empty name) without decoding pixels, so size
 * limits and damage are found before any large allocation.
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
  const info: ExrInfo = {
    width: 0, height: 0, channels: [], compression: -1,
    tiled: (flags & 0x200) !== 0, deep: (flags & 0x800) !== 0, multipart: (flags & 0x1000) !== 0,
  };
  let pos = 8;
  const cstr = () => {
    const end = buf.indexOf(0, pos);
    if (end === -1 || end - pos > 255) throw bad('header is truncated or malformed');
    const s = buf.subarray(pos, end).toString('latin1');
    pos = end + 1;
    return s;
  };
  let sawWindow = false;
  for (;;) {
    const name = cstr();
    if (name === '') break;
    const type = cstr();
    if (pos + 4 > buf.length) throw bad('header is truncated');
    const size = buf.readInt32LE(pos);
    pos += 4;
    if (size < 0 || pos + size > buf.length) throw bad(`attribute "${name}" has an impossible size`);
    const v = buf.subarray(pos, pos + size);
    if (name === 'dataWindow' && type === 'box2i' && size === 16) {
      const [x0, y0, x1, y1] = [v.readInt32LE(0), v.readInt32LE(4), v.readInt32LE(8), v.readInt32LE(12)];
      info.width = x1 - x0 + 1;
      info.height = y1 - y0 + 1;
      sawWindow = true;
    } else if (name === 'channels' && type === 'chlist') {
      let p = 0;
      while (p < v.length && v[p] !== 0) {
        const end = v.indexOf(0, p);
        if (end === -1) throw bad('channel list is malformed');
        info.channels.push(v.subarray(p, end).toString('latin1'));
        p = end + 1 + 16;
      }
    } else if (name === 'compression' && size === 1) {
      info.compression = v[0]!;
    }
    pos += size;
  }
  if (!sawWindow || info.width <= 0 || info.height <= 0) throw bad('it has no valid data window');
  if (info.channels.length === 0) throw bad('it has no channels');
  return info;
}
