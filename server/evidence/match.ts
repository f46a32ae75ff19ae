import fs from 'node:fs/promises';
import path from 'node:path';
import type { Failure } from '../../protocol/src/results.ts';
import { toColophonError } from '../errors.ts';
import { hammingDistance, phash } from '../pipeline/phash.ts';
import type { AssetIndex, AssetRecord } from './assets.ts';
import { cropHashes, greySpread, loadGrey, mirroredHash, type CropHash } from './hash-variants.ts';
import { summarizeAsset, type AssetSummary } from './summary.ts';
import { walkFiles } from '../util/walk-files.ts';

/** Bits (of 64) within which a copy counts as a match. Unrelated photos sit around 26–36 bits apart. */
export const DEFAULT_THRESHOLD = 10;
/** Only assets this close on the plain hash get the (slower) crop search; near-exact ones need none. */
const CROP_SEARCH_BAND = 16;
const CROP_SEARCH_FROM = 3;
/** Grey spread below which an image is too flat for its hash to mean much. */
const FLAT_SPREAD = 10;
const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.gif', '.avif']);
const MAX_FOLDER_FILES = 10_000;

interface Match {
  file: string;
  assetId: string;
  distance: number;
  /** Which recorded hash it came closest to. */
  matchedOn: 'input' | 'preview' | 'preview crop' | 'input crop';
  /** How the copy relates to the recorded image, as far as the hash can tell. */
  transform: string;
  /** The suspect file is nearly flat, so the match may be coincidental. */
  lowDetail: boolean;
  summary: AssetSummary;
}

export interface MatchReport {
  threshold: number;
  matches: Match[];
  unmatched: string[];
  errors: Failure[];
}

interface Candidate {
  rec: AssetRecord;
  hashes: Array<{ phash: string; on: 'input' | 'preview' }>;
  /** An image file on disk to cut crop variants from: the public preview, else the private master. */
  cropSource: { file: string; on: 'preview crop' | 'input crop' } | null;
}

function candidatesOf(index: AssetIndex): Candidate[] {
  const out: Candidate[] = [];
  for (const rec of index.assets.values()) {
    const hashes: Candidate['hashes'] = [];
    if (rec.data.input.phash != null) hashes.push({ phash: rec.data.input.phash, on: 'input' });
    for (const o of rec.data.outputs) if (o.purpose === 'preview' && o.phash != null) hashes.push({ phash: o.phash, on: 'preview' });
    if (hashes.length === 0) continue;
    const preview = rec.data.outputs.find((o) => o.purpose === 'preview' && o.path != null);
    const master = rec.data.outputs.find((o) => o.purpose === 'master' && o.path != null && rec.data.input.phash != null);
    const cropSource =
      preview?.path != null ? { file: preview.path, on: 'preview crop' as const } : master?.path != null ? { file: master.path, on: 'input crop' as const } : null;
    out.push({ rec, hashes, cropSource });
  }
  return out;
}

/** Expands folders into the image files inside them; files named directly are kept whatever their extension. */
async function expandTargets(targets: string[]): Promise<{ files: string[]; errors: Failure[] }> {
  const files: string[] = [];
  const errors: Failure[] = [];
  const walk = (dir: string) =>
    walkFiles(dir, files, { limit: MAX_FOLDER_FILES, accept: (name) => IMAGE_EXT.has(path.extname(name).toLowerCase()) });
  for (const t of targets) {
    try {
      const st = await fs.stat(t);
      if (st.isDirectory()) await walk(t);
      else files.push(t);
    } catch (err) {
      const e = toColophonError(err);
      errors.push({ input: t, code: e.key, message: e.message });
    }
  }
  return { files, errors };
}

/** Compares each file against every image asset in the ledger; reports the best match within the threshold. */
export async function matchFiles(targets: string[], index: AssetIndex, threshold = DEFAULT_THRESHOLD): Promise<MatchReport> {
  const { files, errors } = await expandTargets(targets);
  const candidates = candidatesOf(index);
  const cropCache = new Map<string, CropHash[] | null>();
  const report: MatchReport = { threshold, matches: [], unmatched: [], errors };

  for (const file of files) {
    let direct: string;
    let mirrored: string;
    let spread: number;
    try {
      direct = await phash(file);
      const grey = await loadGrey(file);
      mirrored = await mirroredHash(grey);
      spread = await greySpread(grey);
    } catch (err) {
      report.errors.push({
        input: file,
        code: 'UNSUPPORTED_FORMAT',
        message: `${file} could not be decoded as an image (${(err as Error).message.split('\n')[0]}): it is damaged or not a picture. Check it opens in an image viewer.`,
      });
      continue;
    }
    const best = await bestMatch(direct, mirrored, candidates, cropCache);
    if (best != null && best.distance <= threshold) {
      report.matches.push({
        file,
        assetId: best.rec.assetId,
        distance: best.distance,
        matchedOn: best.matchedOn,
        transform: best.transform,
        lowDetail: spread < FLAT_SPREAD,
        summary: summarizeAsset(best.rec),
      });
    } else {
      report.unmatched.push(file);
    }
  }
  return report;
}

interface Best {
  rec: AssetRecord;
  distance: number;
  matchedOn: Match['matchedOn'];
  transform: string;
}

/** The closest recorded hash over all candidates; ties keep the plainest explanation (direct before crops). */
async function bestMatch(direct: string, mirrored: string, candidates: Candidate[], cropCache: Map<string, CropHash[] | null>): Promise<Best | null> {
  let best: Best | null = null;
  const consider = (b: Best): void => {
    if (best == null || b.distance < best.distance) best = b;
  };
  for (const c of candidates) {
    let nearest = 64;
    for (const h of c.hashes) {
      const d = hammingDistance(direct, h.phash);
      const m = hammingDistance(mirrored, h.phash);
      consider({ rec: c.rec, distance: d, matchedOn: h.on, transform: 'same framing' });
      consider({ rec: c.rec, distance: m, matchedOn: h.on, transform: 'mirrored' });
      nearest = Math.min(nearest, d, m);
    }
    if (nearest >= CROP_SEARCH_FROM && nearest <= CROP_SEARCH_BAND && c.cropSource != null) {
      for (const v of (await cropVariants(c.cropSource.file, cropCache)) ?? []) {
        consider({ rec: c.rec, distance: hammingDistance(direct, v.phash), matchedOn: c.cropSource.on, transform: v.crop });
      }
    }
  }
  return best;
}

async function cropVariants(file: string, cache: Map<string, CropHash[] | null>): Promise<CropHash[] | null> {
  if (!cache.has(file)) {
    try {
      cache.set(file, await cropHashes(await loadGrey(file)));
    } catch {
      // The recorded output may have been moved or deleted; the stored hashes still count.
      cache.set(file, null);
    }
  }
  return cache.get(file) ?? null;
}
