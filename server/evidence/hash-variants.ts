import sharp from '../util/sharp.ts';
import { phashFromGrey } from '../pipeline/phash.ts';

/** Long edge of the grey working copy the variants are cut from: detailed enough for 32×32 hashes. */
const WORK_EDGE = 512;

export interface GreyImage {
  data: Buffer;
  width: number;
  height: number;
}

/** Decodes once to an upright, flattened, grey working copy. */
export async function loadGrey(file: string): Promise<GreyImage> {
  const { data, info } = await sharp(file, { failOn: 'none' })
    .rotate()
    .flatten({ background: '#808080' })
    .greyscale()
    .resize(WORK_EDGE, WORK_EDGE, { fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

async function hashRegion(img: GreyImage, left: number, top: number, width: number, height: number, flop = false): Promise<string> {
  let s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 1 } }).extract({ left, top, width, height });
  if (flop) s = s.flop();
  const grey = await s.resize(32, 32, { fit: 'fill', kernel: 'lanczos3' }).greyscale().raw().toBuffer();
  if (grey.length !== 32 * 32) throw new Error(`expected a 32×32 grey thumbnail, got ${grey.length} bytes`);
  return phashFromGrey(grey);
}

export async function mirroredHash(img: GreyImage): Promise<string> {
  return hashRegion(img, 0, 0, img.width, img.height, true);
}

export interface CropHash {
  phash: string;
  /** e.g. "centre 90%", "left trimmed 5%" */
  crop: string;
}

/**
 * Hashes of the framings a lightly cropped copy is likely to have: centred crops and crops trimmed from
 * one side or one corner, at 95 % and 90 % of each dimension. A copy cut from this image then lands close
 * to one of them even though its own hash moved away from the full frame's.
 */
export async function cropHashes(img: GreyImage): Promise<CropHash[]> {
  const out: CropHash[] = [];
  const { width: W, height: H } = img;
  for (const keep of [0.95, 0.9]) {
    const w = Math.max(8, Math.floor(W * keep));
    const h = Math.max(8, Math.floor(H * keep));
    const pct = `${Math.round((1 - keep) * 100)}%`;
    const regions: Array<[string, number, number, number, number]> = [
      [`centre cropped ${pct}`, Math.floor((W - w) / 2), Math.floor((H - h) / 2), w, h],
      [`left trimmed ${pct}`, W - w, 0, w, H],
      [`right trimmed ${pct}`, 0, 0, w, H],
      [`top trimmed ${pct}`, 0, H - h, W, h],
      [`bottom trimmed ${pct}`, 0, 0, W, h],
      [`top-left trimmed ${pct}`, W - w, H - h, w, h],
      [`top-right trimmed ${pct}`, 0, H - h, w, h],
      [`bottom-left trimmed ${pct}`, W - w, 0, w, h],
      [`bottom-right trimmed ${pct}`, 0, 0, w, h],
    ];
    for (const [crop, l, t, rw, rh] of regions) out.push({ crop, phash: await hashRegion(img, l, t, rw, rh) });
  }
  return out;
}

/**
 * Spread of grey levels on a 32×32 thumbnail (0..~128). Below ~10 the picture is nearly flat (a product
 * on a plain backdrop, a gradient) and its hash says little: unrelated flat images hash alike.
 */
export async function greySpread(img: GreyImage): Promise<number> {
  const grey = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 1 } })
    .resize(32, 32, { fit: 'fill' })
    .greyscale()
    .raw()
    .toBuffer();
  let sum = 0;
  for (const v of grey) sum += v;
  const mean = sum / grey.length;
  let sq = 0;
  for (const v of grey) sq += (v - mean) ** 2;
  return Math.sqrt(sq / grey.length);
}
