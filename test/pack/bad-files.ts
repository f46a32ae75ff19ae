// Generators for hostile inputs, kept small on disk: used by the pack fault tests and `npm run bench -- faults`.
import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';

/**
 * A real deflate zip of `count` entries of `size` zero bytes each (every entry honest: right CRC, right sizes).
 * 3000 × 1 MiB is a ~3 MB file that expands to 3 GiB. Built by hand so it takes milliseconds, not a deflate of GiBs.
 */
export async function zeroBomb(file: string, count: number, size = 1024 ** 2): Promise<void> {
  const zeros = Buffer.alloc(size);
  const data = zlib.deflateRawSync(zeros, { level: 9 });
  const crc = zlib.crc32(zeros);
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const name = Buffer.from(`zeros/${String(i).padStart(5, '0')}.bin`);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, data);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE((3 << 8) | 20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(8, 10);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(data.length, 20);
    c.writeUInt32LE(size, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    c.writeUInt32LE(offset, 42);
    central.push(c, name);
    offset += 30 + name.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, Buffer.concat([...parts, cd, end]));
}

/** The first `fraction` of a file's bytes (a download or copy cut short). */
export async function truncated(src: string, dest: string, fraction = 0.5): Promise<string> {
  const buf = await fs.readFile(src);
  await fs.writeFile(dest, buf.subarray(0, Math.max(1, Math.floor(buf.length * fraction))));
  return dest;
}

/** A JPEG that is only headers: SOI, a frame header claiming `w`×`h`, no scan data (240-odd bytes). */
export function hugeClaimingJpeg(w = 16384, h = 16384): Buffer {
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, h >> 8, h & 0xff, w >> 8, w & 0xff, 0x03, 0x01, 0x11, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const dqt = Buffer.concat([Buffer.from([0xff, 0xdb, 0x00, 0x43, 0x00]), Buffer.alloc(64, 1)]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, dqt, sof, Buffer.from([0xff, 0xd9])]);
}

/** A PNG signature and IHDR claiming `w`×`h` with nothing after it. */
export function hugeClaimingPng(w = 100_000, h = 100_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const body = Buffer.concat([Buffer.from('IHDR'), ihdr]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(13);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), len, body, crc]);
}

/** Bad .blend files: a gzip one cut short, a header with nothing after it, and random bytes named .blend. */
export async function badBlends(dir: string): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const header = Buffer.concat([Buffer.from('BLENDER-v300'), Buffer.alloc(200, 7)]);
  const gz = zlib.gzipSync(Buffer.concat([header, Buffer.alloc(200_000, 1)]));
  const files: Array<[string, Buffer]> = [
    ['cut-gzip.blend', gz.subarray(0, Math.floor(gz.length / 2))],
    ['header-only.blend', Buffer.from('BLENDER-v300')],
    ['noise.blend', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff))],
  ];
  for (const [name, data] of files) await fs.writeFile(path.join(dir, name), data);
  return files.map(([name]) => path.join(dir, name));
}
