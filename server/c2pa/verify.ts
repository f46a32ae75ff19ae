import fs from 'node:fs/promises';
import path from 'node:path';
import type { CredentialReport } from '../../protocol/src/credentials.ts';
import { ColophonError, toColophonError } from '../errors.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { readHead, sniff } from '../pipeline/sniff.ts';
import { sha256File } from '../util/hash.ts';
import { c2pa } from './library.ts';
import { C2PA_MIME } from '../pipeline/formats.ts';
import { SIDECAR_SUFFIX } from './sign.ts';
import { TDM_ENTRIES } from './training-mining.ts';

/** Validation codes that say who signed is not on a trust list; the manifest and its hashes are still sound. */
const TRUST_ONLY = new Set(['signingCredential.untrusted', 'timeStamp.untrusted']);
/** Codes that mean the file's bytes are not the ones that were signed. */
const CHANGED = /^assertion\.(dataHash|bmffHash|boxesHash|collectionHash)\.mismatch$/;

interface StatusItem {
  code: string;
  explanation?: string;
}

/**
 * Reads a file's Content Credential (embedded, or `<file>.c2pa` beside it; passing the `.c2pa` itself checks the
 * file it belongs to), validates it and says what it claims. Never throws for a file without a credential or
 * with a broken one: that is a result (valid: false). Throws only when the file itself cannot be read.
 */
export async function verifyCredential(file: string, ledger: Ledger | null): Promise<CredentialReport> {
  let asset = path.resolve(file);
  if (asset.endsWith(SIDECAR_SUFFIX) && (await isFile(asset.slice(0, -SIDECAR_SUFFIX.length)))) asset = asset.slice(0, -SIDECAR_SUFFIX.length);
  const st = await fs.stat(asset).catch((err: unknown) => {
    throw toColophonError(err);
  });
  if (!st.isFile()) throw new ColophonError('NOT_A_FILE', `${file} is a folder; pass the files to check.`);
  const { sha256 } = await sha256File(asset);
  const known = await ledgerFacts(ledger, sha256);
  const base = { path: asset, sha256, ...(known != null ? { ledger: known } : {}) };

  const lib = await c2pa();
  const sidecarPath = `${asset}${SIDECAR_SUFFIX}`;
  const sidecar = await fs.readFile(sidecarPath).catch(() => null);
  let reader: Awaited<ReturnType<typeof lib.Reader.fromAsset>>;
  try {
    if (sidecar != null) {
      reader = await lib.Reader.fromManifestDataAndAsset(sidecar, { path: asset, mimeType: 'application/octet-stream' });
    } else {
      const mime = C2PA_MIME[sniff(await readHead(asset))];
      reader = mime != null ? await lib.Reader.fromAsset({ path: asset, mimeType: mime }) : null;
    }
  } catch (err) {
    const msg = String((err as Error)?.message ?? err).split('\n')[0]!;
    if (sidecar == null && /not found|no manifest|JumbfNotFound|ManifestNotFound/i.test(msg)) return absent(base);
    return { ...base, credential: sidecar != null ? 'sidecar' : 'embedded', valid: false, changed: null, trusted: false, signer: null, timestamp: null, trainingMining: null, creator: null, problems: [msg], summary: `the Content Credential cannot be read: ${msg}` };
  }
  if (reader == null) return absent(base);

  const store = reader.json() as unknown as {
    validation_state?: string;
    validation_status?: StatusItem[];
  };
  const active = reader.getActive() as unknown as ActiveManifest | undefined;
  const status = store.validation_status ?? [];
  const problems = status.filter((s) => !TRUST_ONLY.has(s.code));
  const changed = status.some((s) => CHANGED.test(s.code));
  const trusted = store.validation_state === 'Trusted';
  const valid = active != null && problems.length === 0 && store.validation_state !== 'Invalid';
  const sig = active?.signature_info;
  const signer = sig != null ? { name: sig.common_name ?? null, issuer: sig.issuer ?? null, trusted } : null;
  const report: CredentialReport = {
    ...base,
    credential: sidecar != null ? 'sidecar' : 'embedded',
    valid,
    changed,
    trusted,
    signer,
    timestamp: sig?.time ?? null,
    trainingMining: trainingMining(active),
    creator: creatorOf(active),
    problems: problems.map((p) => `${p.code}${p.explanation != null ? `: ${p.explanation}` : ''}`),
    summary: summarize(valid, changed, trusted, problems),
  };
  return report;
}

interface ActiveManifest {
  signature_info?: { common_name?: string; issuer?: string; time?: string };
  assertions?: Array<{ label: string; data: Record<string, unknown> }>;
}

function summarize(valid: boolean, changed: boolean, trusted: boolean, problems: StatusItem[]): string {
  if (changed) return 'the file was changed after it was signed';
  if (!valid) return `the Content Credential does not validate (${problems.map((p) => p.code).join(', ')})`;
  if (!trusted) return 'signed and unchanged; the signer is not on the trust list';
  return 'signed and unchanged by a signer on the trust list';
}

function absent(base: Pick<CredentialReport, 'path' | 'sha256' | 'ledger'>): CredentialReport {
  return {
    ...base, credential: 'absent', valid: false, changed: null, trusted: false, signer: null, timestamp: null,
    trainingMining: null, creator: null, problems: [], summary: `no Content Credential: nothing embedded and no ${path.basename(base.path)}${SIDECAR_SUFFIX} beside it`,
  };
}

function trainingMining(m: ActiveManifest | undefined): CredentialReport['trainingMining'] {
  const a = m?.assertions?.find((x) => x.label === 'cawg.training-mining' || x.label === 'c2pa.training-mining');
  const entries = a?.data.entries as Record<string, { use?: string; constraint_info?: string }> | undefined;
  if (entries == null) return null;
  const out: NonNullable<CredentialReport['trainingMining']> = {};
  for (const [k, v] of Object.entries(entries)) {
    out[k] = { use: String(v.use), ...(v.constraint_info != null ? { constraint_info: String(v.constraint_info) } : {}) };
  }
  for (const k of TDM_ENTRIES) out[k] ??= { use: 'unspecified' };
  return out;
}

function creatorOf(m: ActiveManifest | undefined): CredentialReport['creator'] {
  const meta = m?.assertions?.find((x) => x.label === 'cawg.metadata')?.data;
  const cw = m?.assertions?.find((x) => x.label === 'stds.schema-org.CreativeWork')?.data;
  const names = (meta?.['dc:creator'] as string[] | undefined) ?? (cw?.author as Array<{ name?: string }> | undefined)?.map((a) => a.name ?? '');
  if (names == null || names.length === 0) return null;
  const rights = (meta?.['dc:rights'] as string | undefined) ?? (cw?.copyrightNotice as string | undefined);
  const web = meta?.['xmpRights:WebStatement'] as string | undefined;
  return { name: names.join(', '), ...(rights != null ? { rights } : {}), ...(web != null ? { webStatement: web } : {}) };
}

async function ledgerFacts(ledger: Ledger | null, sha256: string): Promise<CredentialReport['ledger']> {
  if (ledger == null) return undefined;
  const hits = (await ledger.query({ sha256 })).filter((e) => e.type === 'asset.recorded');
  const first = hits[0];
  if (first == null) return { known: false };
  return { known: true, assetId: String((first.data as { assetId?: unknown }).assetId ?? ''), seq: first.seq, recordedAt: first.ts };
}

async function isFile(p: string): Promise<boolean> {
  return fs.stat(p).then((s) => s.isFile(), () => false);
}
