export type Placement = 'corner' | 'tiled' | 'none';

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * An SVG overlay exactly width×height. 'corner' puts the notice bottom-right with a dark outline so it reads on
 * any background; 'tiled' repeats it diagonally across the whole picture, which is much harder to crop or paint out.
 */
export function watermarkSvg(text: string, width: number, height: number, placement: Placement, opacity: number): Buffer | null {
  if (placement === 'none' || text.trim() === '') return null;
  const t = escapeXml(text);
  const short = Math.min(width, height);
  const font = 'font-family="DejaVu Sans, Verdana, sans-serif"';
  if (placement === 'corner') {
    const size = Math.max(10, Math.round(short * 0.035));
    const pad = Math.round(size * 0.8);
    return Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
        `<text x="${width - pad}" y="${height - pad}" text-anchor="end" ${font} font-size="${size}" ` +
        `fill="#ffffff" fill-opacity="${opacity}" stroke="#000000" stroke-opacity="${opacity * 0.6}" ` +
        `stroke-width="${Math.max(1, size / 14)}" paint-order="stroke">${t}</text></svg>`,
    );
  }
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
