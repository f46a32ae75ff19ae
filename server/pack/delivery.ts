import type { Profile } from '../../protocol/src/profile.ts';
import type { Failure, Output } from '../../protocol/src/results.ts';
import { bufferEntry, writeArchive, type ArchiveEntry } from './archive.ts';
import { SIDECAR_SUFFIX, signOutput } from '../c2pa/sign.ts';
import { licenceText } from '../licence-text.ts';
import { rightsFromProfile } from '../pipeline/stamp.ts';
import { readmeText } from './documents.ts';
import type { FileOutcome } from './process-files.ts';
import type { MarketProfile } from './markets.ts';
import type { Skipped } from './walk.ts';

const DOC_NAMES = ['LICENSE.txt', 'README.txt', 'manifest.json', 'SHA256SUMS'] as const;

/** Failures whose original is still the seller's own intact file: it ships unchanged and unstamped. */
const SHIP_UNCHANGED = new Set(['UNSUPPORTED_FORMAT', 'CORRUPT_FILE', 'TOO_LARGE', 'METADATA_WRITE_FAILED', 'EMPTY_FILE']);

export interface ManifestFile {
  path: string;
  status: 'processed' | 'failed' | 'skipped';
  sha256?: string;
  bytes?: number;
  assetId?: string;
  kind?: string;
  role?: string;
  format?: string;
  width?: number;
  height?: number;
  /** What of it is in the zip, under which names. */
  archived: Array<{ name: string; sha256: string; metadata: Output['metadata'] }>;
  /** Its Content Credential: inside the member itself, or the `.c2pa` entry beside it; absent when it shipped unchanged. */
  credential?: 'embedded' | { sidecar: string };
  code?: string;
  reason?: string;
}

export interface DeliveryInput {
  packName: string;
  market: MarketProfile;
  profile: Profile;
  outcomes: FileOutcome[];
  /** Problems found before processing (unsafe entries, links out of the pack …). */
  listingFailures: Failure[];
  skipped: Skipped[];
  zipPath: string;
  /** Holds the signing identity for Content Credentials; default: the config dir of the environment. */
  configDir?: string;
}

/** Builds the delivery zip: every original (stamped copy or copy + sidecar) under its path, plus the documents. */
export async function writeDelivery(d: DeliveryInput): Promise<{ archive: Output; files: ManifestFile[]; docNames: string[]; memberOf: Map<string, string> }> {
  const taken = new Set(d.outcomes.map((o) => o.file.rel.toLowerCase()));
  const docName = (n: string) => (taken.has(n.toLowerCase()) ? `COLOPHON-${n}` : n);
  const docNames = DOC_NAMES.map(docName);
  const entries: ArchiveEntry[] = [];
  const files: ManifestFile[] = [];
  /** Each processed output's member name in the zip, by its path in the work area. */
  const memberOf = new Map<string, string>();
  let latest = new Date(0);
  for (const o of d.outcomes) {
    const mtime = new Date(Math.floor(o.file.mtimeMs / 1000) * 1000);
    if (mtime > latest) latest = mtime;
    if (o.ok) {
      const r = o.result;
      const mf: ManifestFile = {
        path: o.file.rel, status: 'processed', sha256: r.input.sha256, bytes: r.input.bytes, assetId: r.assetId,
        kind: r.input.kind, format: r.input.format, archived: [],
        ...(r.input.role ? { role: r.input.role } : {}),
        ...(r.input.width ? { width: r.input.width } : {}),
        ...(r.input.height ? { height: r.input.height } : {}),
      };
      for (const out of r.outputs) {
        if (out.purpose !== 'master' && out.purpose !== 'sidecar') continue;
        const ext = out.purpose === 'sidecar' && out.path.endsWith(SIDECAR_SUFFIX) ? SIDECAR_SUFFIX : '.xmp';
        let name = out.purpose === 'master' ? o.file.rel : `${o.file.rel}${ext}`;
        if (out.purpose === 'sidecar' && taken.has(name.toLowerCase())) name = `${o.file.rel}.colophon${ext}`;
        entries.push({ name, file: out.path, sha256: out.sha256, mtime });
        memberOf.set(out.path, name);
        mf.archived.push({ name, sha256: out.sha256, metadata: out.metadata });
        if (ext === SIDECAR_SUFFIX) mf.credential = { sidecar: name };
      }
      mf.credential ??= 'embedded';
      files.push(mf);
    } else {
      const mf: ManifestFile = {
        path: o.file.rel, status: 'failed', bytes: o.file.bytes, archived: [], code: o.failure.code, reason: o.failure.message,
        ...(o.sha256 ? { sha256: o.sha256 } : {}),
      };
      if (o.sha256 != null && SHIP_UNCHANGED.has(o.failure.code)) {
        entries.push({ name: o.file.rel, file: o.file.abs, sha256: o.sha256, mtime });
        mf.archived.push({ name: o.file.rel, sha256: o.sha256, metadata: 'none' });
      }
      files.push(mf);
    }
  }
  for (const f of d.listingFailures) files.push({ path: f.input, status: 'failed', archived: [], code: f.code, reason: f.message });
  for (const s of d.skipped) files.push({ path: s.rel, status: 'skipped', archived: [], reason: s.reason });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const [licenceName, readmeName, manifestName, sumsName] = docNames as [string, string, string, string];
  const failed = files.filter((f) => f.status === 'failed').length;
  const manifest = {
    manifestVersion: 1,
    generator: 'colophon pack',
    pack: d.packName,
    market: d.market,
    creator: d.profile.creator,
    copyright: d.profile.copyright,
    licence: d.profile.licence,
    dataMining: d.profile.dataMining,
    otherConstraints: d.profile.otherConstraints,
    noticeVersion: d.profile.noticeVersion,
    termsVersion: d.profile.termsVersion,
    documents: { licence: licenceName, readme: readmeName, checksums: sumsName },
    files,
  };
  // Entries are in pack order, then the documents; SHA256SUMS (added by writeArchive) covers them all.
  entries.push(bufferEntry(licenceName, licenceText(d.profile, d.packName, latest), latest));
  entries.push(bufferEntry(readmeName, readmeText(d.profile, d.packName, d.market, { files: files.length, failed }), latest));
  entries.push(bufferEntry(manifestName, JSON.stringify(manifest, null, 2) + '\n', latest));
  const { sha256, bytes } = await writeArchive(d.zipPath, entries, sumsName);
  // Sign: the zip as a whole gets `<zip>.c2pa` beside it (the zip's bytes are not changed).
  const signed = await signOutput({ file: d.zipPath, dest: d.zipPath, format: 'zip', role: 'archive', rights: rightsFromProfile(d.profile, 'digitalCreation') }, { profile: d.profile, ...(d.configDir != null ? { configDir: d.configDir } : {}) });
  const archive: Output = { path: d.zipPath, visibility: 'private', purpose: 'archive', sha256, bytes, metadata: signed.sidecar != null ? 'sidecar' : 'none' };
  return { archive, files, docNames, memberOf };
}

export const zipNameFor = (packName: string) => `${packName}.zip`;
