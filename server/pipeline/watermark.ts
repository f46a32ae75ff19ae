export type Placement = 'corner' | 'tiled' | 'none';

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const FONT = 'font-family="DejaVu Sans, Verdana, sans-serif"';

/** The tiled watermark: the notice repeated diagonally across the whole picture, much harder to crop or paint out. */
function tiledSvg(text: string, width: number, height: number, opacity: number): Buffer {
  const t = escapeXml(text);
  const short = Math.min(width, height);
  const font = FONT;
  const size = Math.max(10, Math.round(short * 0.045));
  const tileW = Math.round(Math.max(size * 4, text.length * size * 0.62) + size * 3);
  const tileH = Math.round(size * 5);
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<defs><pattern id="wm" width="${tileW}" height="${tileH}" patternUnits="userSpaceOnUse" patternTransform="rotate(-30)">` +
      `<text x="0" y="${size * 1.5}" ${font} font-size="${size}" fill="#ffffff" fill-opacity="${opacity}" ` +
      `stroke="#000000" stroke-opacity="${opacity * 0.5}" stroke-width="${Math.max(1, size / 16)}" paint-order="stroke">${t}</text>` +
      `<text x="${tileW / 2}" y="${size * 4}" ${font} font-size="${size}" fill="#ffffff" fill-opacity="${opacity}" ` +
      `stroke="#000000" stroke-opacity="${opacity * 0.5}" stroke-width="${Math.max(1, size / 16)}" paint-order="stroke">${t}</text>` +
      `</pattern></defs><rect width="100%" height="100%" fill="url(#wm)"/></svg>`,
  );
}

/**
 * The corner watermark: the notice bottom-right, with a dark outline so it reads on any background. Drawn as a band
 * along the bottom edge only (where the text is): compositing a strip instead of the whole frame costs a tenth.
 */
function cornerBand(t: string, width: number, height: number, short: number, font: string, opacity: number): { svg: Buffer; top: number } {
  const size = Math.max(10, Math.round(short * 0.035));
  const pad = Math.round(size * 0.8);
  const top = Math.max(0, height - pad - size * 2);
  return {
    top,
    svg: Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height - top}">` +
        `<text x="${width - pad}" y="${height - pad - top}" text-anchor="end" ${font} font-size="${size}" ` +
        `fill="#ffffff" fill-opacity="${opacity}" stroke="#000000" stroke-opacity="${opacity * 0.6}" ` +
        `stroke-width="${Math.max(1, size / 14)}" paint-order="stroke">${t}</text></svg>`,
    ),
  };
}

/** The watermark as an overlay for sharp's composite of a width×height picture: what and where; null for none. */
export function watermarkOverlay(text: string, width: number, height: number, placement: Placement, opacity: number): { input: Buffer; top: number; left: number } | null {
  if (placement === 'none' || text.trim() === '') return null;
  if (placement === 'tiled') return { input: tiledSvg(text, width, height, opacity), top: 0, left: 0 };
  const band = cornerBand(escapeXml(text), width, height, Math.min(width, height), FONT, opacity);
  return { input: band.svg, top: band.top, left: 0 };
}
