import type { Profile } from '../../protocol/src/profile.ts';
import type { AssetResult, Output } from '../../protocol/src/results.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { recordStage } from '../pipeline/stages/record.ts';
import type { FileOutcome } from './process-files.ts';

/**
 * Each processed file's result as delivered: its preview where it sits in public/, its master and sidecars as
 * members of the delivery zip. The work area's copies (a cache the README lets the seller delete) are not named.
 */
export function deliveredResults(outcomes: FileOutcome[], zipPath: string, memberOf: ReadonlyMap<string, string>): AssetResult[] {
  return outcomes.flatMap((o) => {
    if (!o.ok) return [];
    const outputs: Output[] = [];
    for (const out of o.result.outputs) {
      if (out.purpose === 'preview') outputs.push(out);
      const entry = memberOf.get(out.path);
      if (entry != null) outputs.push({ ...out, path: zipPath, entry });
    }
    return [{ ...o.result, outputs }];
  });
}

/**
 * Records every delivered asset once. The ledger does not write an `asset.recorded` whose asset, outputs and rights
 * it already holds, so a re-run that changed nothing records nothing.
 */
export async function recordDelivered(ledger: Ledger, results: AssetResult[], profile: Profile): Promise<void> {
  for (const r of results) r.ledgerSeq = await recordStage(ledger, r, profile, { source: 'pack' });
}
