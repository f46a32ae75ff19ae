import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { ColophonError } from '../errors.ts';
import { canonicalJson } from '../util/hash.ts';
import { readJpegSegments, type JpegSegment } from './jpeg-segments.ts';
import { readPngXmp, withPngXmp } from './png-xmp.ts';
import { embedStamp, type RightsStamp } from './stamp.ts';

/**
 * The rights stamp as finished metadata blocks. exiftool authors them once per rights statement (writing a tiny
 * stand-in image and reading every field back, as for any stamp); files Colophon makes itself (previews, and PNG
 * masters with no XMP of their own) then get those blocks copied in byte for byte. That saves one exiftool rewrite
 * and one read-back per output, and the byte-for-byte check after signing is stricter than a field comparison.
 */
export type StampTemplate =
  | { format: 'png'; packet: string; warnings: string[] }
  | { format: 'jpeg'; segments: Buffer[]; warnings: string[] };

/**
 * A template is remade at least this often, so the MetadataDate it carries is never older than this. Within a
 * job the rights do not change, so each job pays for a template about once per format.
 */
const TEMPLATE_MAX_AGE_MS = 30_000;

const cache = new Map<string, { made: number; template: Promise<StampTemplate> }>();

export function stampTemplate(format: 'png' | 'jpeg', rights: RightsStamp): Promise<StampTemplate> {
  const key = `${format}:${canonicalJson(rights)}`;
  const hit = cache.get(key);
  if (hit != null && Date.now() - hit.made < TEMPLATE_MAX_AGE_MS) return hit.template;
  const template = authorTemplate(format, rights);
  cache.set(key, { made: Date.now(), template });
  template.catch(() => cache.delete(key));
  return template;
}

/** JPEG segments the stamp consists of: EXIF (APP1), XMP (APP1), Photoshop IRB with IPTC-IIM (APP13). */
function isStampSegment(s: JpegSegment): boolean {
  return (s.marker === 0xe1 && (s.id === 'Exif' || s.id === 'http://ns.adobe.com/xap/1.0/')) || (s.marker === 0xed && s.id === 'Photoshop 3.0');
}

async function authorTemplate(format: 'png' | 'jpeg', rights: RightsStamp): Promise<StampTemplate> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-stamp-'));
  try {
    const file = path.join(dir, `template.${format === 'png' ? 'png' : 'jpg'}`);
    const blank = sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } });
    await (format === 'png' ? blank.png() : blank.jpeg()).toFile(file);
    const warnings = await embedStamp(file, format, rights, 'the rights stamp');
    const bytes = await fs.readFile(file);
    if (format === 'png') {
      const packet = readPngXmp(bytes, 'the rights stamp');
      if (packet == null) throw new Error('exiftool wrote no XMP packet');
      return { format, packet, warnings };
    }
    const segments = readJpegSegments(bytes).filter(isStampSegment).map((s) => s.bytes);
    if (segments.length === 0) throw new Error('exiftool wrote no metadata segments');
    return { format, segments, warnings };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The PNG with the template's XMP packet as its only XMP chunk (the PNG must carry no XMP of its own). */
export function applyPngTemplate(png: Buffer, t: Extract<StampTemplate, { format: 'png' }>, label: string): Buffer {
  return withPngXmp(png, t.packet, label);
}

/**
 * The JPEG with the template's segments right after SOI (and after a JFIF APP0, which must stay first). Meant for
 * JPEGs Colophon encoded itself, which carry no EXIF, XMP or IPTC of their own.
 */
export function applyJpegTemplate(jpeg: Buffer, t: Extract<StampTemplate, { format: 'jpeg' }>, label: string): Buffer {
  const segments = readJpegSegments(jpeg);
  if (segments.some(isStampSegment)) throw new Error(`${label} already carries metadata; stamp it with exiftool`);
  const app0 = segments[0]?.marker === 0xe0 ? segments[0] : null;
  const at = app0 != null ? app0.end : 2;
  return Buffer.concat([jpeg.subarray(0, at), ...t.segments, jpeg.subarray(at)]);
}

/** Fails unless the finished file still holds every byte of the stamp (e.g. after the credential was embedded). */
export function assertCarriesTemplate(bytes: Buffer, t: StampTemplate, label: string): void {
  const blocks = t.format === 'png' ? [Buffer.from(t.packet, 'utf8')] : t.segments;
  if (blocks.every((b) => bytes.includes(b))) return;
  throw new ColophonError(
    'METADATA_WRITE_FAILED',
    `${label}: the rights metadata did not survive writing the file (a stamped block is missing or changed); nothing was recorded. Process it again; if it keeps failing, report it.`,
  );
}
