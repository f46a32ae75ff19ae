import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';

/** A flat-colour PNG (tests make their own small texture sets). */
export async function png(file: string, w: number, h: number, rgb: [number, number, number]): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await sharp({ create: { width: w, height: h, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .png()
    .toFile(file);
}

export interface RawZipEntry {
  name: string;
  data: Buffer;
  /** Lie about the uncompressed size in the headers (zip-bomb tests). */
  declaredSize?: number;
  /** Unix mode in the external attributes (e.g. 0o120777 for a symlink). */
  mode?: number;
}

/**
 * Writes a zip by hand (stored entries), so tests can make archives no well-behaved tool would:
 * names with "..", absolute names, symlink entries, lying sizes, a lying entry count.
 */
export async function rawZip(file: string, entries: RawZipEntry[], declaredCount?: number): Promise<void> {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const crc = zlib.crc32(e.data);
    const size = e.declaredSize ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(e.declaredSize != null ? 8 : 0, 8); // claim deflate when lying, so size checks don't trip first
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, e.data);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE((3 << 8) | 20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0x800, 8);
    c.writeUInt16LE(e.declaredSize != null ? 8 : 0, 10);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(e.data.length, 20);
    c.writeUInt32LE(size, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    c.writeUInt32LE(offset, 42);
    central.push(c, name);
    offset += 30 + name.length + e.data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(declaredCount ?? entries.length, 8);
  end.writeUInt16LE(declaredCount ?? entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  await fs.writeFile(file, Buffer.concat([...parts, cd, end]));
}

/** Every file under a folder (relative paths), for "nothing written outside --out" checks. */
export async function listAll(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() || e.isSymbolicLink()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  }
  return out.sort();
}
