import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { ColophonError } from '../errors.ts';
import { DEFAULT_LIMITS, type Limits } from '../../protocol/src/limits.ts';
import { readJpegSegments } from './jpeg-segments.ts';
import { readHead, sniff } from './sniff.ts';

/**
 * Size caps on embedded metadata, checked before exiftool or sharp sees a file. No real rights packet, text chunk
 * or colour profile comes near them (large Photoshop XMP with history is a few MiB; big ICC profiles ~4 MiB);
 * a file over them is damaged or built to exhaust memory, so it is refused rather than silently stripped.
 */
const METADATA_LIMITS: Limits['metadata'] = { ...DEFAULT_LIMITS.metadata };

const inflate = promisify(zlib.inflate);
const MIB = 1 << 20;

/**
 * Refuses (TOO_LARGE) a file whose embedded metadata is, or inflates to, more than METADATA_LIMITS allow, and
 * (CORRUPT_FILE) a JPEG that has no picture data at all. Reads only block headers and the metadata blocks
 * themselves; compressed ones are inflated with an output cap, so a bomb costs at most the cap in memory.
 * Formats it does not walk (TIFF, GIF, HEIF/AVIF) pass unchecked.
 */
export async function guardMetadata(file: string, label: string, limits: Limits['metadata'] = METADATA_LIMITS, data?: Buffer | null): Promise<void> {
  const format = sniff(await readHead(file, data));
  if (format !== 'png' && format !== 'jpeg' && format !== 'webp') return;
  // The file's bytes when the caller holds them (read-input); otherwise read from disk a window at a time.
  const fh = data == null ? await fs.open(file, 'r') : null;
  try {
    const r = new BlockReader(fh ?? data!, fh != null ? (await fh.stat()).size : data!.length);
    const budget = new Budget(label, limits);
    if (format === 'png') await guardPng(r, budget, label);
    else if (format === 'jpeg') await guardJpeg(r, budget, label);
    else await guardWebp(r, budget);
  } finally {
    await fh?.close();
  }
}

/** Keeps the running total and names the block that broke a limit. */
class Budget {
  private total = 0;
  constructor(private readonly label: string, readonly limits: Limits['metadata']) {}

  add(what: string, bytes: number, inflated = false): void {
    const { maxBlockBytes, maxTotalBytes } = this.limits;
    if (bytes > maxBlockBytes) {
      throw new ColophonError(
        'TOO_LARGE',
        `${this.label}: its ${what} ${inflated ? 'inflates to more than' : 'is'} ${mib(inflated ? maxBlockBytes : bytes)} of metadata, above the ${mib(maxBlockBytes)} limit per block. ` +
          'No real rights, text or colour-profile block is that large: the file is damaged or built to exhaust memory. Re-export it without that metadata.',
      );
    }
    this.total += bytes;
    if (this.total > maxTotalBytes) {
      throw new ColophonError(
        'TOO_LARGE',
        `${this.label}: its embedded metadata adds up to more than ${mib(maxTotalBytes)} (the limit). The file is damaged or built to exhaust memory; re-export it without the extra metadata.`,
      );
    }
  }
}

function mib(n: number): string {
  return n >= MIB ? `${Math.floor(n / MIB)} MiB` : `${n} bytes`;
}

/** Small reads at arbitrary offsets, served from a 64 KiB window so walking many small chunks costs few syscalls. */
class BlockReader {
  private buf = Buffer.alloc(0);
  private at = 0;
  constructor(private readonly source: fs.FileHandle | Buffer, readonly size: number) {}

  async read(pos: number, len: number): Promise<Buffer> {
    if (Buffer.isBuffer(this.source)) return this.source.subarray(pos, Math.min(pos + len, this.size));
    if (pos >= this.at && pos + len <= this.at + this.buf.length) return this.buf.subarray(pos - this.at, pos - this.at + len);
    const want = Math.max(len, 64 * 1024);
    const b = Buffer.alloc(Math.min(want, Math.max(0, this.size - pos)));
    const { bytesRead } = await this.source.read(b, 0, b.length, pos);
    this.buf = b.subarray(0, bytesRead);
    this.at = pos;
    return this.buf.subarray(0, Math.min(len, bytesRead));
  }
}

const PNG_METADATA = new Set(['tEXt', 'zTXt', 'iTXt', 'iCCP', 'eXIf']);

async function guardPng(r: BlockReader, budget: Budget, label: string): Promise<void> {
  let pos = 8;
  while (pos + 12 <= r.size) {
    const head = await r.read(pos, 8);
    if (head.length < 8) return;
    const len = head.readUInt32BE(0);
    const type = head.toString('latin1', 4, 8);
    if (PNG_METADATA.has(type)) {
      const name = `${type} chunk`;
      if (len > budget.limits.maxBlockBytes) budget.add(name, len); // throws: too big even to read
      if (pos + 12 + len > r.size) return; // truncated: the decoders report that in their own words
      const data = await r.read(pos + 8, len);
      const packed = compressedPart(type, data);
      const what = `${name} ${describeKeyword(data)}`.trim();
      if (packed == null) budget.add(what, len);
      else budget.add(what, await inflatedSize(packed, label, what, budget.limits.maxBlockBytes), true);
    }
    if (type === 'IEND') return;
    pos += 12 + len;
  }
}

/** The zlib stream inside a compressed PNG text or profile chunk, or null when the chunk is stored as is. */
function compressedPart(type: string, d: Buffer): Buffer | null {
  const k = d.indexOf(0);
  if (k < 0) return null;
  if (type === 'zTXt' || type === 'iCCP') return d.subarray(k + 2);
  if (type !== 'iTXt' || d[k + 1] !== 1) return null;
  const lang = d.indexOf(0, k + 3);
  const translated = lang < 0 ? -1 : d.indexOf(0, lang + 1);
  return translated < 0 ? null : d.subarray(translated + 1);
}

function describeKeyword(d: Buffer): string {
  const k = d.indexOf(0);
  const word = d.toString('latin1', 0, Math.min(k < 0 ? 0 : k, 79)).replace(/[^\x20-\x7e]/g, '?');
  return word !== '' ? `"${word}"` : '';
}

/** Inflated length, never inflating past the block cap (one byte over is enough to know it is too big). */
async function inflatedSize(packed: Buffer, label: string, what: string, maxBlockBytes: number): Promise<number> {
  try {
    return (await inflate(packed, { maxOutputLength: maxBlockBytes + 1 })).length;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return maxBlockBytes + 1;
    throw new ColophonError('CORRUPT_FILE', `${label}: its compressed ${what} cannot be inflated (${(err as Error).message}). The file is damaged; re-export it.`, { cause: err });
  }
}

const XMP_EXTENSION = 'http://ns.adobe.com/xmp/extension/\0';

async function guardJpeg(r: BlockReader, budget: Budget, label: string): Promise<void> {
  let pos = 2;
  const extended = new Map<string, number>();
  for (;;) {
    const m = await r.read(pos, 4);
    if (m.length < 2) break;
    if (m[0] !== 0xff) return; // not a marker where one belongs: leave the verdict to the decoders
    const marker = m[1]!;
    if (marker === 0xff) {
      pos++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2;
      continue;
    }
    if (marker === 0xd9 || m.length < 4) break;
    const len = m.readUInt16BE(2);
    if (marker === 0xda) {
      // Start of scan: the picture data follows the scan header. Nothing after it means there is no picture.
      const data = await r.read(pos + 2 + len, 2);
      if (data.length === 0 || (data[0] === 0xff && data[1] === 0xd9)) break;
      return;
    }
    if ((marker >= 0xe0 && marker <= 0xef) || marker === 0xfe) {
      budget.add(`APP${marker === 0xfe ? ' comment' : marker - 0xe0} segment`, len);
      if (marker === 0xe1) {
        const body = await r.read(pos + 4, Math.min(len - 2, XMP_EXTENSION.length + 40));
        if (body.toString('latin1', 0, XMP_EXTENSION.length) === XMP_EXTENSION && body.length >= XMP_EXTENSION.length + 36) {
          // Extended XMP: each piece names the full packet length; exiftool assembles the whole packet in memory.
          const guid = body.toString('latin1', XMP_EXTENSION.length, XMP_EXTENSION.length + 32);
          const full = body.readUInt32BE(XMP_EXTENSION.length + 32);
          if (!extended.has(guid)) {
            extended.set(guid, full);
            budget.add('extended XMP packet', full);
          }
        }
      }
    }
    pos += 2 + len;
  }
  throw new ColophonError(
    'CORRUPT_FILE',
    `${label} is a JPEG with no picture data (it ends before the image scan). It is damaged or truncated; export it again.`,
  );
}

const WEBP_METADATA = new Set(['EXIF', 'XMP ', 'ICCP']);

async function guardWebp(r: BlockReader, budget: Budget): Promise<void> {
  let pos = 12;
  while (pos + 8 <= r.size) {
    const head = await r.read(pos, 8);
    if (head.length < 8) return;
    const type = head.toString('latin1', 0, 4);
    const len = head.readUInt32LE(4);
    if (WEBP_METADATA.has(type)) budget.add(`${type.trim()} chunk`, len);
    pos += 8 + len + (len & 1);
  }
}

/**
 * For a JPEG the decoder refused: what is broken, in words, or null when it uses a coding other than the common
 * ones. Unlike the decoder's own message this never depends on what else libvips was doing at the moment (its
 * error buffer is shared by every thread, and a picture finishing elsewhere can wipe it), so a report that names
 * the damage reads the same on every run. A JPEG cut short before its picture data never gets here: guardJpeg
 * reports it first. Reads the whole file, so it runs only on that failure path.
 */
export async function describeJpegDamage(file: string): Promise<string | null> {
  const jpeg = await fs.readFile(file);
  let header;
  try {
    header = readJpegSegments(jpeg);
  } catch (err) {
    return `its header is broken (${(err as Error).message})`;
  }
  // Only for the common codings (baseline, extended, progressive): a decoder refusing a rarer one may simply not
  // read it, and that is not damage.
  const frame = header.find((seg) => seg.marker >= 0xc0 && seg.marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(seg.marker));
  if (frame != null && ![0xc0, 0xc1, 0xc2].includes(frame.marker)) return null;
  const scan = header.at(-1)?.end ?? 2;
  if (jpeg[scan] !== 0xff || jpeg[scan + 1] !== 0xda) return `its header is not followed by picture data (at byte ${scan})`;
  // The end-of-image marker closes the picture data; a camera or phone may append its own data after it.
  if (jpeg.indexOf(END_OF_IMAGE, scan) === -1) return `it ends before its end-of-image marker: the file was cut short at byte ${jpeg.length}`;
  return `its compressed picture data (from byte ${scan} on) is corrupt`;
}

const END_OF_IMAGE = Buffer.from([0xff, 0xd9]);

/**
 * For a PNG a decoder refused with an unhelpful message: which chunk is broken, in words, or null when every chunk
 * checks out. Reads the whole file, so it runs only on that failure path, never for a good file.
 */
export async function describePngDamage(file: string): Promise<string | null> {
  const fh = await fs.open(file, 'r');
  try {
    const r = new BlockReader(fh, (await fh.stat()).size);
    let pos = 8;
    for (;;) {
      const head = await r.read(pos, 8);
      if (head.length < 8) return 'it ends without its IEND chunk (the file is truncated)';
      const len = head.readUInt32BE(0);
      const type = head.toString('latin1', 4, 8).replace(/[^\x20-\x7e]/g, '?');
      if (pos + 12 + len > r.size) return `it is truncated inside its ${type} chunk (at byte ${pos})`;
      let crc = zlib.crc32(head.subarray(4, 8));
      for (let at = pos + 8; at < pos + 8 + len; at += MIB) crc = zlib.crc32(await r.read(at, Math.min(MIB, pos + 8 + len - at)), crc);
      if ((await r.read(pos + 8 + len, 4)).readUInt32BE(0) !== crc) {
        return `its ${type} chunk at byte ${pos} has a bad checksum (CRC), so the file was damaged after it was written`;
      }
      if (type === 'IEND') return null;
      pos += 12 + len;
    }
  } finally {
    await fh.close();
  }
}
