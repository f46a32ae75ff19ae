import type { Profile } from '../../../protocol/src/profile.ts';
import type { AssetRecorded } from '../../../protocol/src/records.ts';
import type { AssetResult } from '../../../protocol/src/results.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import { appendRecord } from '../../ledger/records.ts';
import type { ProcessRequest } from './context.ts';

/** The `asset.recorded` entry's data for a finished asset: what came in, what went out, under which terms. */
function assetRecordedData(r: AssetResult, profile: Profile, req: Pick<ProcessRequest, 'source' | 'context'>): AssetRecorded {
  return {
    assetId: r.assetId,
    source: req.source,
    input: r.input,
    outputs: r.outputs.map((o) => ({
      path: o.path, ...(o.entry != null ? { entry: o.entry } : {}), visibility: o.visibility, purpose: o.purpose, sha256: o.sha256, bytes: o.bytes,
      ...(o.phash != null ? { phash: o.phash } : {}), ...(o.credential != null ? { credential: o.credential } : {}),
    })),
    creator: profile.creator,
    licence: profile.licence,
    dataMining: profile.dataMining,
    noticeVersion: profile.noticeVersion,
    termsVersion: profile.termsVersion,
    ...(req.context != null ? { context: req.context } : {}),
    ...(r.warnings.length > 0 ? { warnings: r.warnings } : {}),
  };
}

/** Stage 6: appends `asset.recorded` (validated against its schema, fsynced) and returns its sequence number. */
export async function recordStage(ledger: Ledger, r: AssetResult, profile: Profile, req: Pick<ProcessRequest, 'source' | 'context'>): Promise<number> {
  return (await appendRecord(ledger, 'asset.recorded', assetRecordedData(r, profile, req))).seq;
}
