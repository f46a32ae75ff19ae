import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ColophonError } from '../../errors.ts';
import { boxHeight, boxWidth, type ExrBox, type ExrInfo, type ExrPart } from '../exr-header.ts';
import { parseExrBuffer, type FloatImage } from '../hdr-decode.ts';
import { OIIOTOOL, runTool, ToolFailedError, ToolMissingError, VIPS, type Tool } from './tool.ts';

/** Which part and channels of an EXR make its picture, and how that choice is told to the artist. */
interface ExrPick {
  part: number;
  /** Source channel names for R, G, B and (optionally) A. Grey pictures repeat one channel. */
  rgb: [string, string, string];
  alpha?: string;
  /** Y with subsampled RY/BY: only OpenEXR's RGBA interface (libvips) turns it into RGB. */
  lumaChroma: boolean;
  /** A sentence for the result's warnings when the choice is not the obvious one. */
  note?: string;
}

export interface ExrDecoded {
  /** Null for a deep image no tool could flatten (the warnings say so). */
  image: FloatImage | null;
  warnings: string[];
  decoder: 'parse-exr' | 'oiiotool' | 'vips';
}

type Rank = { rank: number; pick: Omit<ExrPick, 'part'> };

/**
 * Picks the picture in a part: plain R,G,B first; then a Blender MultiLayer Combined pass (the composite, else
 * the first view layer by name); then any layer with R,G,B; then luminance (Y, with or without chroma); then the
 * first channel as grey.
 */
function rankPart(p: ExrPart): Rank {
  const names = p.channels.map((c) => c.name);
  const has = (n: string) => names.includes(n);
  const withAlpha = (prefix: string) => (has(`${prefix}A`) ? { alpha: `${prefix}A` } : {});
  if (has('R') && has('G') && has('B')) return { rank: 0, pick: { rgb: ['R', 'G', 'B'], ...withAlpha(''), lumaChroma: false } };
  const layers = [...new Set(names.filter((n) => /\.[RGB]$/.test(n)).map((n) => n.slice(0, -1)))].filter((pre) => has(`${pre}R`) && has(`${pre}G`) && has(`${pre}B`));
  const combined = layers.filter((pre) => /(^|\.)Combined\.$/.test(pre));
  const layer = combined.find((pre) => pre.startsWith('Composite.')) ?? combined[0] ?? layers[0];
  if (layer != null) {
    const label = layer.slice(0, -1);
    const kind = combined.includes(layer) ? 'the Combined pass of the Blender MultiLayer render' : 'the first RGB layer';
    return { rank: combined.includes(layer) ? 1 : 2, pick: { rgb: [`${layer}R`, `${layer}G`, `${layer}B`], ...withAlpha(layer), lumaChroma: false, note: `preview made from layer "${label}" (${kind})` } };
  }
  if (has('Y')) {
    const chroma = has('RY') && has('BY');
    return { rank: 3, pick: { rgb: ['Y', 'Y', 'Y'], ...withAlpha(''), lumaChroma: chroma, ...(chroma ? {} : { note: 'a luminance-only (Y) image; the preview is grey' }) } };
  }
  const only = names[0]!;
  return { rank: 4, pick: { rgb: [only, only, only], lumaChroma: false, note: `no colour channels; the preview shows channel "${only}" as grey` } };
}

/** The first part with colour (multi-part files: each part is kept in the master; the preview shows that one). */
function pickPicture(info: ExrInfo): ExrPick {
  let best: (Rank & { part: number }) | null = null;
  info.parts.forEach((p, i) => {
    const r = rankPart(p);
    const colour = r.rank <= 2;
    if (best == null || (colour && best.rank > 2) || (!colour && best.rank > 2 && r.rank < best.rank)) best = { ...r, part: i };
  });
  const b = best!;
  const pick: ExrPick = { part: b.part, ...b.pick };
  if (info.parts.length > 1) {
    const name = info.parts[b.part]!.name;
    const where = `part ${b.part + 1} of ${info.parts.length}${name != null ? ` ("${name}")` : ''}`;
    pick.note = `multi-part EXR: the preview is made from ${where}${pick.note != null ? `, ${pick.note}` : ''}; the master keeps every part`;
  }
  return pick;
}

/**
 * Decodes the picture of an EXR to linear float RGB(A) in its display window. In-process (parse-exr) for the
 * plain cases; otherwise through OpenImageIO's oiiotool (parts, layers, deep flattening, every codec) or
 * libvips (luminance-chroma), run as a child process. A deep image no tool could flatten gives no image.
 */
export async function decodeExrPicture(file: string, info: ExrInfo, signal?: AbortSignal): Promise<ExrDecoded> {
  const pick = pickPicture(info);
  const part = info.parts[pick.part]!;
  const warnings = pick.note != null ? [pick.note] : [];
  const deep = part.type.startsWith('deep');
  const sameWindow = JSON.stringify(part.dataWindow) === JSON.stringify(part.displayWindow);
  const failures: string[] = [];
  if (!info.multipart && !deep && !pick.lumaChroma && sameWindow && (pick.rgb[0] === 'R' || pick.rgb[0] === 'Y') && part.channels.every((c) => c.xSampling === 1 && c.ySampling === 1)) {
    try {
      return { image: parseExrBuffer(await fs.readFile(file)), warnings, decoder: 'parse-exr' };
    } catch (err) {
      failures.push(`parse-exr: ${(err as Error).message}`);
    }
  }
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-exr-'));
  let missing: Tool | null = null;
  try {
    if (!pick.lumaChroma) {
      try {
        const image = await viaOiiotool(file, pick, deep, path.join(tmp, 'flat.exr'), signal);
        if (deep) warnings.push('deep image: the preview is made from the samples flattened (composited front to back); the master keeps every sample');
        return { image, warnings, decoder: 'oiiotool' };
      } catch (err) {
        if (err instanceof ToolMissingError) missing = err.tool;
        else if (err instanceof ToolFailedError) failures.push(err.message);
        else throw err;
      }
    }
    // libvips reads through OpenEXR's RGBA interface: the first part, R/G/B/A, Y and Y/RY/BY converted to RGB.
    if (!deep && pick.part === 0 && (pick.rgb[0] === 'R' || pick.rgb[0] === 'Y')) {
      try {
        return { image: await viaVips(file, part, path.join(tmp, 'pixels.raw'), signal), warnings, decoder: 'vips' };
      } catch (err) {
        if (err instanceof ToolMissingError) missing ??= err.tool;
        else if (err instanceof ToolFailedError) failures.push(err.message);
        else throw err;
      }
    }
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
  if (deep) {
    const why = missing != null ? `${missing.command} is not installed; install the Debian package ${missing.debianPackage} to flatten deep images` : failures.at(-1) ?? 'it could not be flattened';
    warnings.push(`no preview: deep image (${why}); the master and its sidecar are recorded`);
    return { image: null, warnings, decoder: 'oiiotool' };
  }
  if (missing != null && failures.length === 0) {
    throw new ColophonError(
      'UNSUPPORTED_FORMAT',
      `${file} is a valid OpenEXR file of a kind (${describe(info, pick)}) that needs ${missing.command} to decode, and it is not installed. Install the Debian/Ubuntu package ${missing.debianPackage} (apt install ${missing.debianPackage}) and process it again.`,
    );
  }
  throw new ColophonError(
    'CORRUPT_FILE',
    `${file} could not be decoded as OpenEXR (${failures.join('; ') || 'no decoder could read it'}). It is damaged or truncated; re-export it from Blender or your compositor.`,
  );
}

function describe(info: ExrInfo, pick: ExrPick): string {
  if (info.multipart) return 'multi-part';
  if (pick.lumaChroma) return 'luminance-chroma';
  if (pick.rgb[0] !== 'R' && pick.rgb[0] !== 'Y') return 'multi-layer';
  return `compression ${info.compression}`;
}

async function viaOiiotool(file: string, pick: ExrPick, deep: boolean, out: string, signal?: AbortSignal): Promise<FloatImage> {
  const ch = [`R=${pick.rgb[0]}`, `G=${pick.rgb[1]}`, `B=${pick.rgb[2]}`, ...(pick.alpha != null ? [`A=${pick.alpha}`] : [])].join(',');
  const args = [file, '--subimage', String(pick.part), ...(deep ? ['--flatten'] : []), '--ch', ch, '--croptofull', '-d', 'float', '--compression', 'none', '-o', out];
  await runTool(OIIOTOOL, args, { signal });
  return parseExrBuffer(await fs.readFile(out));
}

async function viaVips(file: string, part: ExrPart, out: string, signal?: AbortSignal): Promise<FloatImage> {
  await runTool(VIPS, ['rawsave', file, out], { signal });
  const raw = await fs.readFile(out);
  const w = boxWidth(part.dataWindow);
  const h = boxHeight(part.dataWindow);
  // openexrload always gives 4 float bands (RGBA) of the data window.
  if (raw.length !== w * h * 16) throw new ToolFailedError(VIPS, `unexpected output size ${raw.length} for ${w}×${h}`);
  const data = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4).slice();
  return toDisplayWindow({ width: w, height: h, channels: 4, data }, part.dataWindow, part.displayWindow);
}

/** Places data-window pixels into the display window: outside the data window is transparent black. */
function toDisplayWindow(img: FloatImage, data: ExrBox, display: ExrBox): FloatImage {
  const W = boxWidth(display);
  const H = boxHeight(display);
  if (W === img.width && H === img.height && data.x0 === display.x0 && data.y0 === display.y0) return img;
  const c = img.channels;
  const out = new Float32Array(W * H * c);
  for (let y = 0; y < img.height; y++) {
    const dy = y + data.y0 - display.y0;
    if (dy < 0 || dy >= H) continue;
    const sx0 = Math.max(0, display.x0 - data.x0);
    const sx1 = Math.min(img.width, display.x1 - data.x0 + 1);
    if (sx1 <= sx0) continue;
    const dx0 = sx0 + data.x0 - display.x0;
    out.set(img.data.subarray((y * img.width + sx0) * c, (y * img.width + sx1) * c), (dy * W + dx0) * c);
  }
  return { width: W, height: H, channels: c, data: out };
}
