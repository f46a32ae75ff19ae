import sharp from '../util/sharp.ts';
import type { LedgerEntry } from '../../protocol/src/ledger.ts';
import type { Ledger, VerifyReport } from '../ledger/ledger.ts';
import { recordsOf, type TypedEntry } from '../ledger/records.ts';
import { sha256File } from '../util/hash.ts';
import type { AssetIndex, AssetRecord } from './assets.ts';
import { optoutStates, type OptoutState } from './optout.ts';
import { summarizeAsset, type AssetSummary } from './summary.ts';

interface Thumbnail {
  dataUri: string;
  /** The preview file it was made from, and whether that file still has its recorded SHA-256. */
  from: string;
  intact: boolean;
}

export interface AssetEvidence {
  record: AssetRecord;
  summary: AssetSummary;
  thumbnail: Thumbnail | null;
  /** Why there is no thumbnail, when there is none. */
  thumbnailNote?: string;
  /** The site notices (sitekit generations) in force when the asset was first recorded, and later ones. */
  noticeAtRecording: LedgerEntry | null;
}

export interface EvidenceReport {
  title: string;
  generated: string;
  creator?: string;
  assets: AssetEvidence[];
  unrecorded: string[];
  optouts: OptoutState[];
  notices: Array<TypedEntry<'notice.changed'>>;
  anchors: Array<TypedEntry<'ledger.anchored'>>;
  /** Every ledger entry the report relies on, in order, with chain hashes. */
  entries: LedgerEntry[];
  verify: VerifyReport;
}

const THUMB_EDGE = 480;

async function thumbnailFor(rec: AssetRecord): Promise<{ thumb: Thumbnail | null; note?: string }> {
  const preview = rec.data.outputs.find((o) => o.purpose === 'preview' && o.path != null);
  if (preview?.path == null) return { thumb: null, note: 'This asset has no public preview (source-rich files get none or a small one).' };
  try {
    const { sha256 } = await sha256File(preview.path);
    const jpeg = await sharp(preview.path, { failOn: 'none' })
      .resize(THUMB_EDGE, THUMB_EDGE, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 80 })
      .toBuffer();
    return { thumb: { dataUri: `data:image/jpeg;base64,${jpeg.toString('base64')}`, from: preview.path, intact: sha256 === preview.sha256 } };
  } catch (err) {
    return { thumb: null, note: `The public preview ${preview.path} could not be read (${(err as Error).message.split('\n')[0]}).` };
  }
}

/** Collects everything the report shows for the given assets from the ledger. */
export async function buildEvidence(
  ledger: Ledger,
  index: AssetIndex,
  assets: AssetRecord[],
  label: string,
  unrecorded: string[] = [],
  now = new Date(),
): Promise<EvidenceReport> {
  const notices = recordsOf(index.all, 'notice.changed');
  const anchors = recordsOf(index.all, 'ledger.anchored');
  const optoutEntries = index.all.filter((e) => e.type === 'optout.sent' || e.type === 'optout.response');
  const out: AssetEvidence[] = [];
  for (const rec of assets) {
    const { thumb, note } = await thumbnailFor(rec);
    const before = notices.filter((n) => n.seq < rec.first.seq);
    out.push({
      record: rec,
      summary: summarizeAsset(rec),
      thumbnail: thumb,
      ...(note != null ? { thumbnailNote: note } : {}),
      noticeAtRecording: before.at(-1) ?? null,
    });
  }
  const used = new Set<number>();
  for (const a of out) for (const e of a.record.entries) used.add(e.seq);
  for (const e of [...notices, ...anchors, ...optoutEntries]) used.add(e.seq);
  const entries = index.all.filter((e) => used.has(e.seq));
  const creator = out[0]?.record.data.creator?.name;
  return {
    title: assets.length === 1 ? `Evidence for asset ${assets[0]!.assetId}` : `Evidence for ${label} (${assets.length} assets)`,
    generated: now.toISOString(),
    ...(creator != null ? { creator } : {}),
    assets: out,
    unrecorded,
    optouts: optoutStates(index.all, now),
    notices,
    anchors,
    entries,
    verify: await ledger.verify(),
  };
}
