import fs from 'node:fs/promises';
import type { LedgerEntry } from '../../protocol/src/ledger.ts';
import { ColophonError } from '../errors.ts';
import type { AssetRecorded } from '../../protocol/src/records.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { isType, parseRecord } from '../ledger/records.ts';
import { sha256File } from '../util/hash.ts';
import { hashZipEntries, isZip } from './zip-hashes.ts';
import { walkFiles } from '../util/walk-files.ts';

/** One asset as the ledger knows it: its first recording, later re-recordings, and the entries naming it. */
export interface AssetRecord {
  assetId: string;
  first: LedgerEntry;
  data: AssetRecorded;
  /** Every entry whose data names this assetId (recordings, publications, licences), in ledger order. */
  entries: LedgerEntry[];
}

export interface AssetIndex {
  all: LedgerEntry[];
  assets: Map<string, AssetRecord>;
  /** `asset.recorded` entries whose data does not parse with the schema: left out of `assets`, and said why. */
  problems: string[];
}

const ASSET_ID = /^[0-9a-f]{16}$/;

export async function loadAssetIndex(ledger: Ledger): Promise<AssetIndex> {
  const all = await ledger.readAll();
  const assets = new Map<string, AssetRecord>();
  const problems: string[] = [];
  for (const e of all) {
    const id = e.data.assetId;
    if (typeof id !== 'string') continue;
    let rec = assets.get(id);
    if (rec == null && isType(e, 'asset.recorded')) {
      const parsed = parseRecord(e);
      if (!parsed.ok) {
        problems.push(parsed.problem);
        continue;
      }
      rec = { assetId: id, first: e, data: parsed.entry.data, entries: [] };
      assets.set(id, rec);
    }
    rec?.entries.push(e);
  }
  return { all, assets, problems };
}

/** Assets whose input, or one of whose outputs, has this SHA-256. */
function assetsWithSha(index: AssetIndex, sha256: string): AssetRecord[] {
  const hits: AssetRecord[] = [];
  for (const rec of index.assets.values()) {
    if (rec.data.input.sha256 === sha256 || rec.data.outputs.some((o) => o.sha256 === sha256)) hits.push(rec);
  }
  return hits;
}

/**
 * A `.xmp` sidecar resolves to its own asset only. Sidecars written before they were bound to their file
 * (name + SHA-256 inside) were identical across assets, so a hash match on one is narrowed to the asset
 * whose own sidecar has that file name.
 */
function sidecarHits(file: string, hits: AssetRecord[]): AssetRecord[] {
  if (hits.length <= 1 || !file.toLowerCase().endsWith('.xmp')) return hits;
  const base = file.split(/[\\/]/).pop()!;
  const own = hits.filter((h) => h.data.outputs.some((o) => o.purpose === 'sidecar' && o.path?.split(/[\\/]/).pop() === base));
  return own.length > 0 ? own : hits;
}

export interface Resolved {
  /** What the user asked about, for headings and messages. */
  label: string;
  assets: AssetRecord[];
  /** Files in a folder that the ledger does not know (folder targets only). */
  unrecorded: string[];
}

const MAX_FOLDER_FILES = 5000;

/**
 * Turns `<assetId|path|folder>` into recorded assets. A file is found by its SHA-256 (as an input or as an
 * output such as a preview or a pack archive); a folder by every file inside it.
 */
export async function resolveTarget(index: AssetIndex, target: string): Promise<Resolved> {
  if (ASSET_ID.test(target)) {
    const rec = index.assets.get(target);
    if (rec != null) return { label: target, assets: [rec], unrecorded: [] };
  }
  let stat;
  try {
    stat = await fs.stat(target);
  } catch {
    throw new ColophonError(
      'FILE_NOT_FOUND',
      `"${target}" is neither an asset id in the ledger nor an existing file or folder. ` +
        'Pass the 16-hex-digit assetId printed by `colophon process`, or the path of the file you processed.',
    );
  }
  if (stat.isDirectory()) {
    const files = await listFiles(target);
    const found = new Map<string, AssetRecord>();
    const unrecorded: string[] = [];
    for (const f of files) {
      const { sha256 } = await sha256File(f);
      const hits = sidecarHits(f, assetsWithSha(index, sha256));
      if (hits.length === 0) unrecorded.push(f);
      for (const h of hits) found.set(h.assetId, h);
    }
    if (found.size === 0) {
      throw new ColophonError(
        'FILE_NOT_FOUND',
        `None of the ${files.length} files in ${target} is recorded in the ledger. Process them first (\`colophon process\` or \`colophon pack\`).`,
      );
    }
    return { label: target, assets: [...found.values()], unrecorded };
  }
  const { sha256 } = await sha256File(target);
  const hits = sidecarHits(target, assetsWithSha(index, sha256));
  if (hits.length === 0 && (await isZip(target))) {
    // A delivered pack: the files inside are the recorded private copies.
    const found = new Map<string, AssetRecord>();
    const unrecorded: string[] = [];
    for (const e of await hashZipEntries(target)) {
      const inside = sidecarHits(e.name, assetsWithSha(index, e.sha256));
      if (inside.length === 0) unrecorded.push(`${target} › ${e.name}`);
      for (const h of inside) found.set(h.assetId, h);
    }
    if (found.size > 0) return { label: target, assets: [...found.values()], unrecorded };
  }
  if (hits.length === 0) {
    throw new ColophonError(
      'FILE_NOT_FOUND',
      `${target} (sha256 ${sha256.slice(0, 16)}…) is not recorded in the ledger. Process it first with \`colophon process ${target}\`.`,
    );
  }
  return { label: target, assets: hits, unrecorded: [] };
}

/** Exactly one asset, for commands that record something about a single asset. */
export async function resolveOneAsset(index: AssetIndex, target: string): Promise<AssetRecord> {
  const r = await resolveTarget(index, target);
  if (r.assets.length !== 1) {
    throw new ColophonError(
      'INVALID_PARAMS',
      `"${target}" matches ${r.assets.length} assets (${r.assets.map((a) => a.assetId).join(', ')}). Pass one assetId instead.`,
    );
  }
  return r.assets[0]!;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  await walkFiles(dir, out, { limit: MAX_FOLDER_FILES });
  return out;
}
