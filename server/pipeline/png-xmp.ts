import zlib from 'node:zlib';
import { ColophonError } from '../errors.ts';
import { crc32OfJoined } from '../util/crc32.ts';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const XMP_KEYWORD = 'XML:com.adobe.xmp';
const IDAT = Buffer.from('IDAT', 'latin1');
const ITXT = Buffer.from('iTXt', 'latin1');

interface Chunk {
  type: string;
  start: number;
  end: number;
  data: Buffer;
  /** The CRC stored at the chunk's end (over its type and data), as found: not checked. */
  crc: number;
}

function chunks(png: Buffer, label: string): Chunk[] {
  if (png.length < 8 || !png.subarray(0, 8).equals(SIGNATURE)) throw new ColophonError('CORRUPT_FILE', `${label} is not a PNG file.`);
  const out: Chunk[] = [];
  let pos = 8;
  while (pos + 12 <= png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('latin1', pos + 4, pos + 8);
    const end = pos + 12 + len;
    if (end > png.length) throw new ColophonError('CORRUPT_FILE', `${label} is truncated inside its ${type} chunk.`);
    out.push({ type, start: pos, end, data: png.subarray(pos + 8, pos + 8 + len), crc: png.readUInt32BE(end - 4) });
    pos = end;
    if (type === 'IEND') break;
  }
  if (out[0]?.type !== 'IHDR') throw new ColophonError('CORRUPT_FILE', `${label} has no IHDR chunk first.`);
  return out;
}

function isXmpChunk(c: Chunk): boolean {
  return c.type === 'iTXt' && c.data.subarray(0, XMP_KEYWORD.length + 1).toString('latin1') === `${XMP_KEYWORD}\0`;
}

/** A PNG walked once: the XMP it carries and, from the same walk, the pieces of a copy with a new packet. */
export interface ParsedPng {
  /** Whether it carries an XMP packet (an iTXt chunk with the XMP keyword). */
  hasXmp: boolean;
  /** The XMP packet it carries (uncompressed iTXt, as the XMP spec prescribes, or compressed), or null. */
  xmp(): string | null;
  /**
   * The same PNG with `packet` as its only XMP chunk, placed right after IHDR (before the image data, where readers
   * look first), as the pieces it is made of (views of the PNG and the new chunks), for writing without a copy.
   * Every other chunk, text chunks included, is kept byte for byte, except that runs of small image-data chunks are
   * regrouped into larger ones (see IDAT_GROUP_BYTES).
   */
  withXmp(packet: string): Buffer[];
}

export function parsePng(png: Buffer, label: string): ParsedPng {
  const all = chunks(png, label);
  const xmpChunk = all.find(isXmpChunk);
  return {
    hasXmp: xmpChunk != null,
    xmp: () => (xmpChunk != null ? packetOf(xmpChunk) : null),
    withXmp: (packet) => partsWithXmp(png, all, packet),
  };
}

export function readPngXmp(png: Buffer, label: string): string | null {
  return parsePng(png, label).xmp();
}

export function withPngXmp(png: Buffer, packet: string, label: string): Buffer {
  return Buffer.concat(parsePng(png, label).withXmp(packet));
}

function packetOf(c: Chunk): string | null {
  const d = c.data;
  const compressed = d[XMP_KEYWORD.length + 1] === 1;
  let p = XMP_KEYWORD.length + 3;
  p = d.indexOf(0, p) + 1; // language tag
  p = d.indexOf(0, p) + 1; // translated keyword
  if (p <= 0) return null;
  const text = d.subarray(p);
  // Bounded like metadata-guard's check (16 MiB), in case a caller skipped it.
  return (compressed ? zlib.inflateSync(text, { maxOutputLength: 16 << 20 }) : text).toString('utf8');
}

// The image data of a PNG is one zlib stream, and how it is cut into IDAT chunks carries no meaning, so
// regrouping changes no pixel and no compressed byte. It matters for signing: the C2PA SDK walks the file chunk by
// chunk, a seek and a read per chunk, on each of its passes (about five when it signs a master, as many again
// when the master is a preview's ingredient). libpng writes 8 KiB chunks, and an 8.5 MB render cut that way cost the
// SDK 45 ms of CPU for master and preview together, against 31 ms once cut into 256 KiB to 4 MiB chunks (the
// same in that whole range). Chunks under IDAT_SMALL are merged, up to IDAT_GROUP_BYTES a chunk; larger ones
// stay as they are. A merged chunk's CRC is worked out from the CRCs of the chunks it joins (reading its 8 MB of
// data again would cost 2–4 ms a file on the event loop), so a source chunk whose CRC was wrong leaves the merged
// one wrong too: damage is carried into the copy, never hidden. Such a source fails where it is decoded anyway.
const IDAT_SMALL = 64 << 10;
const IDAT_GROUP_BYTES = 1 << 20;

function partsWithXmp(png: Buffer, all: Chunk[], packet: string): Buffer[] {
  const body = Buffer.concat([Buffer.from(`${XMP_KEYWORD}\0\0\0\0\0`, 'latin1'), Buffer.from(packet, 'utf8')]);
  const parts: Buffer[] = [SIGNATURE, png.subarray(all[0]!.start, all[0]!.end), ...chunkParts('iTXt', [body], zlib.crc32(body, zlib.crc32(ITXT)))];
  // Chunks kept byte for byte and next to each other in the source go across as one view.
  let kept: { start: number; end: number } | null = null;
  const flush = () => {
    if (kept != null) parts.push(png.subarray(kept.start, kept.end));
    kept = null;
  };
  const rest = all.slice(1).filter((c) => !isXmpChunk(c));
  for (let i = 0; i < rest.length; ) {
    const group = smallIdatRun(rest, i);
    if (group.length >= 2) {
      flush();
      parts.push(...chunkParts('IDAT', group.map((c) => c.data), crc32OfJoined(IDAT, group.map((c) => ({ crc: c.crc, bytes: c.data.length })))));
      i += group.length;
      continue;
    }
    const c = rest[i++]!;
    if (kept != null && kept.end === c.start) kept.end = c.end;
    else {
      flush();
      kept = { start: c.start, end: c.end };
    }
  }
  flush();
  return parts;
}

/** The small IDAT chunks from `from` on that fit in one regrouped chunk (none when `from` is not one). */
function smallIdatRun(list: Chunk[], from: number): Chunk[] {
  const run: Chunk[] = [];
  let bytes = 0;
  for (let i = from; i < list.length; i++) {
    const c = list[i]!;
    if (c.type !== 'IDAT' || c.data.length >= IDAT_SMALL || bytes + c.data.length > IDAT_GROUP_BYTES) break;
    run.push(c);
    bytes += c.data.length;
  }
  return run;
}

/** One chunk whose data is `pieces` one after another: its length and type, the pieces (not copied), its CRC. */
function chunkParts(type: string, pieces: Buffer[], crc: number): Buffer[] {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(pieces.reduce((n, p) => n + p.length, 0), 0);
  head.write(type, 4, 'latin1');
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc >>> 0);
  return [head, ...pieces, tail];
}
