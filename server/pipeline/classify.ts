import fs from 'node:fs/promises';
import path from 'node:path';
import type { Metadata, Sharp } from 'sharp';
import sharp from '../util/sharp.ts';
import type yauzl from 'yauzl';
import type { Kind, Source, TextureRole } from '../../protocol/src/results.ts';
import { DEFAULT_LIMITS, type Limits } from '../../protocol/src/limits.ts';
import { ColophonError } from '../errors.ts';
import { compressedBlendHeader, validateCompressedBlend, validatePlainBlend } from './blend.ts';
import { boxHeight, boxWidth, readExrHeader, type ExrInfo } from './exr-header.ts';
import { guardMetadata } from './metadata-guard.ts';
import { PRESENTATION_SOURCES, SHARP_READABLE } from './formats.ts';
import { EXTENSION_FORMATS, readHead, sniff, type SniffedFormat } from './sniff.ts';
import { looksLikeNormalMap, roleFromName, type ChannelStats } from './texture-role.ts';


export interface Classification {
  kind: Kind;
  role?: TextureRole;
  sourceRich: boolean;
  /** The content's format (from magic bytes), e.g. jpeg, png, exr, blend-zstd. */
  format: string;
  width?: number;
  height?: number;
  /** Can sharp (or our EXR/HDR decoder) read pixels from it? */
  raster: 'sharp' | 'exr' | 'hdr' | null;
  exr?: ExrInfo;
  /** The picture carries EXIF (only then can it name a camera). */
  hasExif?: boolean;
  /**
   * 16 bits per channel, RGB or grey, with no colour profile (a typical render): its decode can drop to 8-bit
   * sRGB before resizing, which changes no preview pixel by more than a rounding step and halves the work.
   */
  untagged16?: boolean;
  /**
   * Shaped like a texture and named like nothing in particular: whether it is a normal map is decided from its
   * pixels. Set only when the caller defers that check to the decode stage, which has the pixels anyway.
   */
  maybeNormalMap?: boolean;
  warnings: string[];
}

export interface ClassifyOptions {
  /** Leave the normal-map content check to the caller (sets maybeNormalMap instead of decoding here). */
  deferContentCheck?: boolean;
  /** The profile's limits (default: the built-in ones). */
  limits?: Limits;
  /** The file's bytes, when the caller already holds them (read-input). */
  data?: Buffer | null;
}


/** Classifies a file by content (magic bytes) first, then by name tokens and image shape. */
export async function classifyFile(file: string, source: Source = 'cli', opts: ClassifyOptions = {}): Promise<Classification> {
  const st = await fs.stat(file);
  if (st.isDirectory()) throw new ColophonError('NOT_A_FILE', `${file} is a folder; pass a file (or use \`colophon process\` on the folder to walk it).`);
  if (!st.isFile()) throw new ColophonError('NOT_A_FILE', `${file} is not a regular file (device, socket or pipe); pass a file.`);
  if (st.size === 0) throw new ColophonError('EMPTY_FILE', `${file} is empty (0 bytes). The export or copy probably failed; write it again.`);
  // Before sharp or exiftool reads anything from it: refuses metadata bombs and picture-less JPEGs.
  const limits = opts.limits ?? DEFAULT_LIMITS;
  await guardMetadata(file, file, limits.metadata, opts.data);
  const head = await readHead(file, opts.data);
  let format = sniff(head);
  const ext = path.extname(file).slice(1).toLowerCase();
  const claimed = EXTENSION_FORMATS[ext];
  const warnings: string[] = [];
  const stem = path.basename(file, path.extname(file));

  if (format === 'gzip' || format === 'zstd') {
    const blend = await compressedBlendHeader(file, format);
    if (blend != null) format = format === 'gzip' ? 'blend-gzip' : 'blend-zstd';
  }
  if ((format === 'text' || format === 'unknown') && claimed != null && isRasterClaim(claimed)) {
    throw new ColophonError(
      'UNSUPPORTED_FORMAT',
      `${file} is named .${ext} but its content is ${format === 'text' ? 'text' : 'not any known image format'}. It was probably saved or renamed wrongly; re-export the image.`,
    );
  }
  if (claimed != null && isRasterClaim(claimed) && isRasterClaim(format) && claimed !== format && !(claimed === 'heif' && format === 'avif')) {
    warnings.push(`named .${ext} but the content is ${format.toUpperCase()}; processed as ${format.toUpperCase()}`);
  }

  if (SHARP_READABLE.has(format)) return classifyRaster(file, stem, format, source, warnings, opts);
  if (format === 'exr') {
    const exr = await readExrHeader(file);
    checkPixels(file, exr.width, exr.height, limits.pixels.maxFloatPixels);
    for (const p of exr.parts) checkPixels(file, boxWidth(p.dataWindow), boxHeight(p.dataWindow), limits.pixels.maxFloatPixels);
    const base = { format, width: exr.width, height: exr.height, raster: 'exr' as const, exr, warnings, sourceRich: true };
    if (isLatLong(exr.width, exr.height)) return { ...base, kind: 'hdri' };
    const role = roleFromName(stem);
    if (role != null && !PRESENTATION_SOURCES.has(source)) return { ...base, kind: 'texture', role };
    return { ...base, kind: 'render' };
  }
  if (format === 'hdr') return { kind: 'hdri', sourceRich: true, format, raster: 'hdr', warnings };
  if (format === 'blend') {
    await validatePlainBlend(file);
    return { kind: 'blend', sourceRich: true, format, raster: null, warnings };
  }
  if (format === 'blend-gzip' || format === 'blend-zstd') {
    await validateCompressedBlend(file, format === 'blend-gzip' ? 'gzip' : 'zstd');
    return { kind: 'blend', sourceRich: true, format, raster: null, warnings };
  }
  if (format === 'zip') return classifyZip(file, ext, warnings, limits.zip.maxEntries);
  if (['fbx', 'glb', 'usdc', 'usda', 'abc', 'ply', 'stl-ascii'].includes(format)) {
    return { kind: 'model', sourceRich: true, format: format === 'stl-ascii' ? 'stl' : format, raster: null, warnings };
  }
  if (['mp4', 'mov', 'mkv', 'avi'].includes(format)) return { kind: 'video', sourceRich: false, format, raster: null, warnings };
  if (['bmp', 'psd'].includes(format)) return { kind: roleFromName(stem) != null ? 'texture' : 'other', role: roleFromName(stem), sourceRich: true, format, raster: null, warnings: [...warnings, `${format.toUpperCase()} is kept private with a sidecar; no preview is made from it`] };
  // Formats with no reliable magic: trust the extension only when the content is plausible for it.
  if (claimed === 'obj' || claimed === 'gltf' || claimed === 'stl') {
    // Binary STL has no magic bytes; OBJ and glTF are text.
    const plausible = claimed === 'stl' || format === 'text';
    if (plausible) return { kind: 'model', sourceRich: true, format: claimed, raster: null, warnings };
  }
  if (claimed === 'tga') {
    return { kind: roleFromName(stem) != null ? 'texture' : 'other', role: roleFromName(stem), sourceRich: true, format: 'tga', raster: null, warnings };
  }
  return { kind: 'other', sourceRich: true, format: format === 'unknown' ? (ext || 'unknown') : format, raster: null, warnings };
}

function isRasterClaim(f: string): boolean {
  return ['jpeg', 'png', 'webp', 'tiff', 'gif', 'avif', 'heif', 'exr', 'hdr', 'bmp', 'tga'].includes(f);
}

function isLatLong(w: number, h: number): boolean {
  return h > 0 && Math.abs(w / h - 2) < 0.02;
}

function checkPixels(file: string, w: number, h: number, limit: number): void {
  if (w * h > limit) {
    throw new ColophonError(
      'TOO_LARGE',
      `${file} claims ${w}×${h} pixels (${(w * h / 1e6).toFixed(0)} megapixels), above the ${(limit / 1e6).toFixed(0)}-megapixel limit. Reduce it before processing, or check that the file is not damaged.`,
    );
  }
}

async function classifyRaster(file: string, stem: string, format: SniffedFormat, source: Source, warnings: string[], opts: ClassifyOptions): Promise<Classification> {
  let meta: Metadata;
  try {
    meta = await sharp(opts.data ?? file, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ColophonError('CORRUPT_FILE', `${file} looks like ${format.toUpperCase()} but its header cannot be read (${(err as Error).message}). It is damaged or truncated; export it again.`, { cause: err });
  }
  const swap = (meta.orientation ?? 1) >= 5;
  const width = swap ? meta.height : meta.width;
  const height = swap ? meta.width : meta.height;
  if (width == null || height == null) throw new ColophonError('CORRUPT_FILE', `${file} has no image dimensions; it is damaged.`);
  checkPixels(file, width, height, (opts.limits ?? DEFAULT_LIMITS).pixels.maxImagePixels);
  const untagged16 = meta.depth === 'ushort' && meta.icc == null && (meta.space === 'rgb16' || meta.space === 'grey16');
  const base = { format, width, height, raster: 'sharp' as const, warnings, ...(meta.exif != null ? { hasExif: true } : {}), ...(untagged16 ? { untagged16 } : {}) };
  if (PRESENTATION_SOURCES.has(source)) return { ...base, kind: 'render', sourceRich: false };
  const role = roleFromName(stem);
  if (role != null) return { ...base, kind: 'texture', role, sourceRich: true };
  // A picture kept with the maps is a map even when its name says nothing about its role.
  if (inTextureFolder(file)) return { ...base, kind: 'texture', role: 'unknown', sourceRich: true };
  if (format === 'jpeg' || format === 'png' || format === 'webp' || format === 'tiff') {
    if (isLatLong(width, height) && (meta.depth === 'ushort' || meta.depth === 'float')) return { ...base, kind: 'hdri', sourceRich: true };
    // Only texture-shaped pictures (square or power-of-two sides) are worth decoding to look for a normal map.
    if (textureShaped(width, height)) {
      if (opts.deferContentCheck === true) return { ...base, kind: 'render', sourceRich: false, maybeNormalMap: true };
      if (await contentSaysNormalMap(sharp(opts.data ?? file))) return { ...base, kind: 'texture', role: 'normal', sourceRich: true };
    }
  }
  return { ...base, kind: 'render', sourceRich: false };
}

const TEXTURE_FOLDERS = new Set(['textures', 'texture', 'maps', 'tex', 'pbr', 'materials']);

function inTextureFolder(file: string): boolean {
  const parts = path.dirname(file).split(path.sep).slice(-2);
  return parts.some((p) => TEXTURE_FOLDERS.has(p.toLowerCase()));
}

function textureShaped(w: number, h: number): boolean {
  const pow2 = (n: number) => (n & (n - 1)) === 0;
  return w === h || (pow2(w) && pow2(h));
}

/** Whether a picture's colours are those of a tangent-space normal map (from a 64×64 reduction of it). */
export async function contentSaysNormalMap(img: Sharp): Promise<boolean> {
  try {
    const { data, info } = await img.resize(64, 64, { fit: 'fill' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels < 3) return false;
    return looksLikeNormalMap(channelStats(data, info.channels));
  } catch {
    return false;
  }
}

/** Mean and sample standard deviation of the first three channels of interleaved 8-bit pixels (as libvips' stats). */
function channelStats(data: Buffer, channels: number): ChannelStats {
  const sum = [0, 0, 0];
  const sq = [0, 0, 0];
  const n = data.length / channels;
  for (let i = 0; i < data.length; i += channels) {
    for (let k = 0; k < 3; k++) {
      const v = data[i + k]!;
      sum[k]! += v;
      sq[k]! += v * v;
    }
  }
  const stdev = (k: number) => Math.sqrt(Math.max(0, (sq[k]! - (sum[k]! * sum[k]!) / n) / Math.max(1, n - 1)));
  return { mean: [sum[0]! / n, sum[1]! / n, sum[2]! / n], stdev: [stdev(0), stdev(1), stdev(2)] };
}

const IMAGE_EXT = /\.(png|jpe?g|tiff?|exr|hdr|tga|webp|bmp|psd)$/i;

async function classifyZip(file: string, ext: string, warnings: string[], maxEntries: number): Promise<Classification> {
  const names = await listZipEntries(file, maxEntries);
  const files = names.filter((n) => !n.endsWith('/'));
  if (ext === 'usdz') return { kind: 'model', sourceRich: true, format: 'usdz', raster: null, warnings };
  const images = files.filter((n) => IMAGE_EXT.test(n)).length;
  const kind: Kind = files.length > 0 && images * 2 >= files.length ? 'texture-pack' : 'other';
  return { kind, sourceRich: true, format: 'zip', raster: null, warnings };
}

/** Entry names from the central directory only (nothing is extracted). */
async function listZipEntries(file: string, maxEntries: number): Promise<string[]> {
  const { default: zipReader } = await import('yauzl');
  return new Promise((resolve, reject) => {
    zipReader.open(file, { lazyEntries: true, autoClose: true, strictFileNames: false }, (err, zip) => {
      if (err != null || zip == null) {
        reject(new ColophonError('CORRUPT_FILE', `${file} is not a readable zip archive (${err?.message ?? 'unknown error'}). It is damaged or truncated.`, { cause: err }));
        return;
      }
      if (zip.entryCount > maxEntries) {
        zip.close();
        reject(new ColophonError('TOO_LARGE', `${file} has ${zip.entryCount} entries, above the limit of ${maxEntries} (limits.zip.maxEntries in the profile).`));
        return;
      }
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        names.push(e.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', (e: Error) => reject(new ColophonError('CORRUPT_FILE', `${file}: ${e.message}`, { cause: e })));
      zip.readEntry();
    });
  });
}
