import type { OverlayOptions } from 'sharp';
import sharp from '../util/sharp.ts';
import type { TextureSet } from './texture-sets.ts';

export interface ContactSheetOptions {
  /** Watermark text, already expanded; null for none (e.g. Pond5). */
  watermark: string | null;
  opacity: number;
  placement: 'corner' | 'tiled';
  quality: number;
  /** Edge of each map's thumbnail, in px. */
  cell?: number;
  /** Decodes formats sharp cannot read (EXR, HDR) to an 8-bit image; null when it cannot. */
  decode?: (file: string) => Promise<Buffer | null>;
  /** Pictures already decoded (by the pipeline's decode stage), by file: used instead of reading the file again. */
  thumbnails?: ReadonlyMap<string, Buffer>;
}

/** Default edge of a map's cell, in px. */
export const CONTACT_SHEET_CELL = 320;
const LABEL_H = 30;
const TITLE_H = 44;
const GAP = 10;
const BG = { r: 32, g: 32, b: 36 };

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function textSvg(width: number, height: number, text: string, size: number, weight = 'normal'): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<text x="${width / 2}" y="${height / 2 + size * 0.35}" font-family="DejaVu Sans, sans-serif" font-size="${size}" ` +
      `font-weight="${weight}" fill="#e8e8e8" text-anchor="middle">${escapeXml(text)}</text></svg>`,
  );
}

async function thumb(file: string | Buffer, cell: number, decode?: ContactSheetOptions['decode']): Promise<Buffer | null> {
  const fit = (input: Buffer | string) =>
    sharp(input, { limitInputPixels: 16384 * 16384 })
      .resize(cell, cell, { fit: 'contain', background: { ...BG, alpha: 1 }, withoutEnlargement: false })
      .flatten({ background: BG })
      .toColourspace('srgb')
      .png()
      .toBuffer();
  try {
    return await fit(file);
  } catch {
    const decoded = decode && typeof file === 'string' ? await decode(file).catch(() => null) : null;
    return decoded ? fit(decoded).catch(() => null) : null;
  }
}

function watermarkSvg(w: number, h: number, text: string, opacity: number, placement: 'corner' | 'tiled'): Buffer {
  const t = escapeXml(text);
  const size = Math.max(14, Math.round(Math.min(w, h) / 22));
  let body: string;
  if (placement === 'corner') {
    body = `<text x="${w - 12}" y="${h - 12}" font-size="${size}" text-anchor="end">${t}</text>`;
  } else {
    const rows: string[] = [];
    const stepX = size * Math.max(8, text.length * 0.7);
    for (let y = size * 2; y < h + size * 4; y += size * 5) {
      for (let x = -stepX; x < w + stepX; x += stepX) {
        rows.push(`<text x="${x}" y="${y}" font-size="${size}" transform="rotate(-25 ${x} ${y})">${t}</text>`);
      }
    }
    body = rows.join('');
  }
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><g font-family="DejaVu Sans, sans-serif" ` +
      `fill="#ffffff" fill-opacity="${opacity}" stroke="#000000" stroke-opacity="${opacity / 2}" stroke-width="1">${body}</g></svg>`,
  );
}

/**
 * One labelled grid of a material's maps at reduced size, as a JPEG buffer (no source metadata; the
 * caller stamps the rights metadata after writing it). Maps that cannot be decoded get a labelled
 * empty cell, so the sheet still shows what the set contains.
 */
export async function renderContactSheet(set: TextureSet, opts: ContactSheetOptions): Promise<{ jpeg: Buffer; width: number; height: number }> {
  const cell = opts.cell ?? CONTACT_SHEET_CELL;
  const n = set.maps.length;
  const cols = Math.min(n, n <= 4 ? n : n <= 6 ? 3 : 4);
  const rows = Math.ceil(n / cols);
  const width = GAP + cols * (cell + GAP);
  const height = TITLE_H + rows * (cell + LABEL_H + GAP) + GAP;
  const layers: OverlayOptions[] = [{ input: textSvg(width, TITLE_H, set.material, 24, 'bold'), left: 0, top: 0 }];
  for (let i = 0; i < n; i++) {
    const map = set.maps[i]!;
    const left = GAP + (i % cols) * (cell + GAP);
    const top = TITLE_H + Math.floor(i / cols) * (cell + LABEL_H + GAP);
    const img = await thumb(opts.thumbnails?.get(map.abs) ?? map.abs, cell, opts.decode);
    layers.push({ input: img ?? textSvg(cell, cell, 'no preview for this format', 14), left, top });
    layers.push({ input: textSvg(cell, LABEL_H, map.label, 15), left, top: top + cell });
  }
  if (opts.watermark != null && opts.watermark !== '') {
    layers.push({ input: watermarkSvg(width, height, opts.watermark, opts.opacity, opts.placement), left: 0, top: 0 });
  }
  const jpeg = await sharp({ create: { width, height, channels: 3, background: BG } })
    .composite(layers)
    .jpeg({ quality: opts.quality, mozjpeg: false })
    .toBuffer();
  return { jpeg, width, height };
}
