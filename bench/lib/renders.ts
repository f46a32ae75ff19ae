// Generated inputs that compress and decode like real renders: a lit gradient background, a few soft shapes
// and a little sensor-like noise. Flat colour would make PNG decoding unrealistically fast.
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

function rng(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

/** One 8-bit RGB PNG of w×h that looks like a render. */
export async function renderLikePng(file: string, w: number, h: number, seed: number): Promise<void> {
  const rand = rng(seed + 1);
  // Shapes are drawn small and enlarged with a smooth kernel: soft edges like depth of field, at little cost.
  const sw = 256, sh = Math.max(1, Math.round((256 * h) / w));
  const small = Buffer.alloc(sw * sh * 3);
  const top = [rand() * 120, rand() * 140, 120 + rand() * 120];
  const bottom = [60 + rand() * 160, 40 + rand() * 120, rand() * 90];
  const blobs = Array.from({ length: 5 }, () => ({ x: rand() * sw, y: rand() * sh, r: 12 + rand() * 60, c: [rand() * 255, rand() * 255, rand() * 255], a: 0.4 + rand() * 0.5 }));
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      const t = y / sh;
      const px = [0, 1, 2].map((k) => top[k]! * (1 - t) + bottom[k]! * t + 30 * Math.sin((x / sw) * 3 + seed));
      for (const b of blobs) {
        const d2 = ((x - b.x) ** 2 + (y - b.y) ** 2) / (b.r * b.r);
        const wgt = b.a * Math.exp(-d2 * 2);
        for (let k = 0; k < 3; k++) px[k] = px[k]! * (1 - wgt) + b.c[k]! * wgt;
      }
      const i = (y * sw + x) * 3;
      for (let k = 0; k < 3; k++) small[i + k] = Math.max(0, Math.min(255, px[k]!));
    }
  }
  const { data } = await sharp(small, { raw: { width: sw, height: sh, channels: 3 } })
    .resize(w, h, { kernel: 'cubic', fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  for (let i = 0; i < data.length; i++) {
    const n = ((rand() + rand() + rand()) - 1.5) * 5; // about ±4 levels, like a denoised render's leftover grain
    data[i] = Math.max(0, Math.min(255, data[i]! + n));
  }
  await sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toFile(file);
}

/** `count` render-like PNGs named render_000.png … in `dir`; returns their paths. */
export async function makeRenderSet(dir: string, count: number, w: number, h: number, seedBase = 0): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const f = path.join(dir, `render_${String(i).padStart(3, '0')}.png`);
    await renderLikePng(f, w, h, seedBase + i);
    files.push(f);
  }
  return files;
}
