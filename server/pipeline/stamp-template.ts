import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from '../util/sharp.ts';
import { ColophonError } from '../errors.ts';
import { resolvePaths } from '../paths.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { canonicalJson, sha256Hex } from '../util/hash.ts';
import { vendoredExiftoolVersion } from './exiftool.ts';
import { readJpegSegments, type JpegSegment } from './jpeg-segments.ts';
import { readPngXmp } from './png-xmp.ts';
import { embedStamp, stampTags, type RightsStamp } from './stamp.ts';

/**
 * The rights stamp as finished metadata blocks. exiftool authors them once per rights statement (writing a tiny
 * stand-in image and reading every field back, as for any stamp); files Colophon makes itself (previews, and PNG
 * masters with no XMP of their own) then get those blocks copied in byte for byte. That saves one exiftool rewrite
 * and one read-back per output, and the byte-for-byte check after signing is stricter than a field comparison.
 */
export type StampTemplate =
  | { format: 'png'; packet: string; warnings: string[] }
  | { format: 'jpeg'; segments: Buffer[]; warnings: string[] };

/** A template as exiftool wrote it, with the MetadataDate it carries. */
type Authored = StampTemplate & { date: string };

/**
 * Bumped when how templates are authored changes, so templates kept on disk by an older Colophon are made again.
 * They are also keyed by the exact tags (stampTags) and the exiftool version.
 */
const TEMPLATE_VERSION = 1;

// exiftool writes MetadataDate once, as an element of the xmp namespace, in UTC (stampTags gives it in UTC).
const METADATA_DATE = /<xmp:MetadataDate>(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00)<\/xmp:MetadataDate>/g;

const authored = new Map<string, Promise<Authored>>();

/**
 * The stamp for `rights` as metadata blocks, dated now. Authored by exiftool once per rights statement and kept in
 * `<config>/cache/stamp-templates/` (so a `colophon process` run does not start perl for it); every use gets the
 * current time as its MetadataDate, put in place of the date exiftool wrote (the same 25 characters, in the same
 * place: nothing else in the blocks moves).
 */
export async function stampTemplate(format: 'png' | 'jpeg', rights: RightsStamp, configDir?: string): Promise<StampTemplate> {
  const key = sha256Hex(canonicalJson({ v: TEMPLATE_VERSION, format, tags: undatedTags(format, rights), exiftool: await vendoredExiftoolVersion() }));
  let template = authored.get(key);
  if (template == null) {
    template = keptOrAuthored(path.join(configDir ?? resolvePaths().configDir, 'cache', 'stamp-templates', `${key.slice(0, 32)}.json`), format, rights);
    authored.set(key, template);
    template.catch(() => authored.delete(key));
  }
  return dated(await template, new Date());
}

function undatedTags(format: 'png' | 'jpeg', rights: RightsStamp): Record<string, unknown> {
  const { tags } = stampTags(rights, format);
  const { 'XMP-xmp:MetadataDate': _date, ...rest } = tags as Record<string, unknown>;
  return rest;
}

async function keptOrAuthored(file: string, format: 'png' | 'jpeg', rights: RightsStamp): Promise<Authored> {
  const kept = await readKept(file, format);
  if (kept != null) return kept;
  const made = await authorTemplate(format, rights, path.dirname(file));
  // Keeping it is only a saving: a folder that cannot be written just means exiftool authors it again next run.
  await fs.mkdir(path.dirname(file), { recursive: true })
    .then(() => writeFileAtomic(file, JSON.stringify(made.format === 'png' ? made : { ...made, segments: made.segments.map((b) => b.toString('base64')) })))
    .catch(() => undefined);
  return made;
}

/** A kept template, or null when there is none or it is not one this version wrote whole. */
async function readKept(file: string, format: 'png' | 'jpeg'): Promise<Authored | null> {
  try {
    const k = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
    const warnings = Array.isArray(k.warnings) ? k.warnings.map(String) : null;
    if (k.format !== format || typeof k.date !== 'string' || warnings == null) return null;
    const t: Authored = format === 'png'
      ? { format, packet: String(k.packet ?? ''), warnings, date: k.date }
      : { format, segments: (Array.isArray(k.segments) ? k.segments : []).map((b) => Buffer.from(String(b), 'base64')), warnings, date: k.date };
    // Each JPEG segment must be whole: a marker, and a length that is its own.
    if (t.format === 'jpeg' && !t.segments.every((b) => b.length >= 4 && b[0] === 0xff && b.readUInt16BE(2) + 2 === b.length)) return null;
    return metadataDateOf(t) === t.date ? t : null;
  } catch {
    return null;
  }
}

/** The one MetadataDate the template's XMP carries, or null when there is not exactly one. */
function metadataDateOf(t: StampTemplate): string | null {
  const xmp = t.format === 'png' ? t.packet : t.segments.map((b) => b.toString('latin1')).join('\n');
  const dates = [...xmp.matchAll(METADATA_DATE)].map((m) => m[1]!);
  return dates.length === 1 ? dates[0]! : null;
}

function dated(t: Authored, now: Date): StampTemplate {
  const from = `<xmp:MetadataDate>${t.date}</xmp:MetadataDate>`;
  const to = `<xmp:MetadataDate>${now.toISOString().slice(0, 19)}+00:00</xmp:MetadataDate>`;
  if (t.format === 'png') return { format: 'png', packet: t.packet.replace(from, to), warnings: t.warnings };
  // latin1 maps every byte to one character and back, so only the date's bytes change.
  const segments = t.segments.map((b) => (b.includes(from) ? Buffer.from(b.toString('latin1').replace(from, to), 'latin1') : b));
  return { format: 'jpeg', segments, warnings: t.warnings };
}

/** JPEG segments the stamp consists of: EXIF (APP1), XMP (APP1), Photoshop IRB with IPTC-IIM (APP13). */
function isStampSegment(s: JpegSegment): boolean {
  return (s.marker === 0xe1 && (s.id === 'Exif' || s.id === 'http://ns.adobe.com/xap/1.0/')) || (s.marker === 0xed && s.id === 'Photoshop 3.0');
}

async function authorTemplate(format: 'png' | 'jpeg', rights: RightsStamp, cacheDir: string): Promise<Authored> {
  const dir = await authoringDir(cacheDir);
  try {
    const file = path.join(dir, `template.${format === 'png' ? 'png' : 'jpg'}`);
    const blank = sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } });
    await (format === 'png' ? blank.png() : blank.jpeg()).toFile(file);
    const warnings = await embedStamp(file, format, rights, 'the rights stamp');
    const bytes = await fs.readFile(file);
    if (format === 'png') {
      const packet = readPngXmp(bytes, 'the rights stamp');
      if (packet == null) throw new Error('exiftool wrote no XMP packet');
      return withDate({ format, packet, warnings });
    }
    const segments = readJpegSegments(bytes).filter(isStampSegment).map((s) => s.bytes);
    if (segments.length === 0) throw new Error('exiftool wrote no metadata segments');
    return withDate({ format, segments, warnings });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const AUTHORING_PREFIX = '.authoring-';
/** Authoring takes well under a second; a folder this old was left by a run that was killed mid-way. */
const STALE_AUTHORING_MS = 60 * 60 * 1000;

/**
 * A fresh folder for exiftool to author a template in: inside the template cache, where the next authoring removes
 * what a run killed mid-way left behind, rather than in the system's temp folder, where such leftovers pile up. The
 * system's temp folder only when the cache cannot be written.
 */
async function authoringDir(cacheDir: string): Promise<string> {
  try {
    await fs.mkdir(cacheDir, { recursive: true });
    const now = Date.now();
    for (const name of await fs.readdir(cacheDir)) {
      if (!name.startsWith(AUTHORING_PREFIX)) continue;
      const dir = path.join(cacheDir, name);
      const st = await fs.stat(dir).catch(() => null);
      if (st != null && now - st.mtimeMs > STALE_AUTHORING_MS) await fs.rm(dir, { recursive: true, force: true });
    }
    return await fs.mkdtemp(path.join(cacheDir, AUTHORING_PREFIX));
  } catch {
    return fs.mkdtemp(path.join(os.tmpdir(), 'colophon-stamp-'));
  }
}

function withDate(t: StampTemplate): Authored {
  const date = metadataDateOf(t);
  if (date == null) throw new Error('exiftool did not write one MetadataDate in the XMP packet');
  return { ...t, date };
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

/** The blocks a stamped file must still hold byte for byte once it is finished (signed). */
export function templateBlocks(t: StampTemplate): Buffer[] {
  return t.format === 'png' ? [Buffer.from(t.packet, 'utf8')] : t.segments;
}

/** Fails unless the finished file still holds every byte of the stamp (e.g. after the credential was embedded). */
export function assertCarriesTemplate(bytes: Buffer, t: StampTemplate, label: string): void {
  if (!templateBlocks(t).every((b) => bytes.includes(b))) throw templateLost(label);
}

/** The failure when a finished file lost (part of) its stamp: nothing of it is recorded. */
export function templateLost(label: string): ColophonError {
  return new ColophonError(
    'METADATA_WRITE_FAILED',
    `${label}: the rights metadata did not survive writing the file (a stamped block is missing or changed); nothing was recorded. Process it again; if it keeps failing, report it.`,
  );
}
