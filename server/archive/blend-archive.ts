import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Profile } from '../../protocol/src/profile.ts';
import type { Output } from '../../protocol/src/results.ts';
import { ColophonError, toColophonError } from '../errors.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { appendRecord } from '../ledger/records.ts';
import { classifyFile } from '../pipeline/classify.ts';
import type { InputSnapshot } from '../pipeline/stages/context.ts';
import { readInput } from '../pipeline/stages/read-input.ts';
import { signOutput } from '../c2pa/sign.ts';
import { rightsFromProfile, writeSidecar } from '../pipeline/stamp.ts';
import { produceAtomic, tempNameFor } from '../util/atomic.ts';
import { canonicalJson, sha256File } from '../util/hash.ts';
import { confinedDir } from '../util/confine.ts';
import { ZipWriter } from '../util/zip-writer.ts';
import { entryNameFor, externalEntryName, RESERVED_ENTRIES, resolveDependency, worthCompressing } from './entries.ts';
import { licenceText } from '../licence-text.ts';
import { expandTemplate } from '../config.ts';

export interface ArchiveRequest {
  blend: string;
  /** As Blender names them: absolute, or relative to the .blend (`//textures/a.png`). */
  dependencies: string[];
  /** The .blend's name inside the zip; default its own. */
  name?: string;
  /** A licensed copy of `blend` to store in the zip under `blend`'s name; `blend` stays what is hashed and recorded. */
  copy?: string;
  signal?: AbortSignal;
}

export interface ArchiveEnv {
  profile: Profile;
  outRoot: string;
  ledger: Ledger | null;
  /** Holds the signing identity for Content Credentials; default: the config dir of the environment. */
  configDir?: string;
}

export interface ArchiveResult {
  archive: Output;
  /** Dependencies in the zip, as given in the request. */
  included: string[];
  /** Dependencies that do not exist or cannot be read, as given; never fatal. */
  missing: string[];
  assetId: string;
  ledgerSeq: number | null;
}

interface Member {
  source: string;
  given: string;
  entry: string;
  /** The file as read-input read and hashed it, when it is held in memory. */
  snapshot?: InputSnapshot;
}

interface MemberHash {
  entry: string;
  source: string;
  sha256: string;
  bytes: number;
}

/** A private zip of a .blend, its dependencies, a manifest, a LICENSE and the .blend's XMP sidecar. */
export async function archiveBlend(req: ArchiveRequest, env: ArchiveEnv): Promise<ArchiveResult> {
  const blend = path.resolve(req.blend);
  const cls = await classifyFile(blend).catch((err: unknown) => {
    throw toColophonError(err);
  });
  if (cls.kind !== 'blend') {
    throw new ColophonError('UNSUPPORTED_FORMAT', `${blend} is not a .blend file (its content is ${cls.format}). Pass the scene's .blend file.`);
  }
  // Read once (read-input stage): a .blend held in memory goes into the zip from those very bytes.
  const blendHash = await readInput(blend, req.signal).catch((err: unknown) => {
    throw toColophonError(err);
  });
  const assetId = blendHash.sha256.slice(0, 16);
  const blendName = req.name ?? path.basename(blend);
  if (req.name != null && req.name.startsWith('.')) {
    // "..blend" would make a hidden "..archive.zip" the artist never sees in a file browser.
    throw new ColophonError('INVALID_PARAMS', `The archive name "${req.name}" starts with a dot, which would make a hidden archive. Pass the .blend's real name, such as "scene.blend".`);
  }
  const { members, included, missing } = await collectMembers(blend, blendName, req.dependencies);
  if (req.copy != null) members[0]!.source = await licensedCopy(path.resolve(req.copy), blend);
  else if (blendHash.data != null) members[0]!.snapshot = blendHash;

  const dir = await confinedDir(env.outRoot, path.join('private', assetId), { private: true });
  const stem = path.basename(blendName, path.extname(blendName));
  // Built under a hidden temp name (swept after a crash); keepOlderArchive decides its final name.
  const zipPath = tempNameFor(path.join(dir, `${stem}.archive.zip`));
  // The sidecar travels beside the .blend inside the zip, so it is bound to those bytes (the licensed copy when there is one).
  const inZip = req.copy != null ? await sha256File(members[0]!.source) : blendHash;
  const xmp = await sidecarBytes(blendName, inZip.sha256, env.profile);
  const now = new Date();
  const { hashes, zip: zipHash } = await produceAtomic(zipPath, (tmp) =>
    writeZip(tmp, members, (files) => [
      ['manifest.json', Buffer.from(JSON.stringify(manifest(assetId, blendName, path.dirname(blend), files, missing, env.profile, now), null, 2) + '\n')],
      ['LICENSE.txt', Buffer.from(licenceText(env.profile, blendName, now))],
      [`${blendName}.xmp`, xmp],
    ], req.signal),
  );
  const blendAfter = req.copy != null ? (await sha256File(blend)).sha256 : hashes[0]?.sha256;
  if (blendAfter !== blendHash.sha256) {
    await fs.rm(zipPath, { force: true });
    throw new ColophonError('CHANGED_WHILE_READING', `${blend} changed while it was being archived. Save it in Blender, then archive again.`);
  }
  const finalPath = await keepOlderArchive(zipPath, path.join(dir, `${stem}.archive.zip`), zipHash.sha256);
  // Sign: the zip's Content Credential goes beside it, at the name the zip ended up with, as `<zip>.c2pa`.
  await signOutput({ file: finalPath, dest: finalPath, format: 'zip', role: 'archive', rights: rightsFromProfile(env.profile, 'digitalCreation') }, { profile: env.profile, ...(env.configDir != null ? { configDir: env.configDir } : {}) });
  const archive: Output = {
    path: finalPath, visibility: 'private', purpose: 'archive', sha256: zipHash.sha256, bytes: zipHash.bytes, metadata: 'sidecar',
  };
  let ledgerSeq: number | null = null;
  if (env.ledger != null) {
    const p = env.profile;
    const entry = await appendRecord(env.ledger, 'asset.recorded', {
      assetId,
      source: 'archive',
      input: { path: blend, sha256: blendHash.sha256, bytes: blendHash.bytes, kind: 'blend', format: cls.format },
      outputs: [archive],
      files: hashes.map(({ entry, sha256, bytes }) => ({ entry, sha256, bytes })),
      missing,
      creator: p.creator, licence: p.licence, dataMining: p.dataMining,
      noticeVersion: p.noticeVersion, termsVersion: p.termsVersion,
    });
    ledgerSeq = entry.seq;
  }
  return { archive, included, missing, assetId, ledgerSeq };
}

/**
 * Moves a finished zip to `wanted`, unless a different zip already lives there: older ledger entries point at that
 * one, so it is kept and the new one is named by its content (`<stem>.archive.<first 12 hex of its SHA-256>.zip`).
 * Returns the path the zip ended up at.
 */
async function keepOlderArchive(built: string, wanted: string, sha256: string): Promise<string> {
  const existing = await sha256File(wanted).catch(() => null);
  if (existing == null) {
    await fs.rename(built, wanted);
    return wanted;
  }
  if (existing.sha256 === sha256) {
    await fs.rm(built, { force: true });
    return wanted;
  }
  const byContent = wanted.replace(/\.zip$/, `.${sha256.slice(0, 12)}.zip`);
  await fs.rename(built, byContent);
  return byContent;
}

/** The .blend first, then each readable dependency once, each under an entry name nothing else uses. */
async function collectMembers(blend: string, blendName: string, deps: string[]): Promise<{ members: Member[]; included: string[]; missing: string[] }> {
  const blendDir = path.dirname(blend);
  const taken = new Set([...RESERVED_ENTRIES, blendName, `${blendName}.xmp`]);
  const members: Member[] = [{ source: blend, given: blend, entry: blendName }];
  const seen = new Set([blend]);
  const included: string[] = [];
  const missing: string[] = [];
  for (const given of deps) {
    const source = resolveDependency(given, blendDir);
    if (seen.has(source)) continue;
    seen.add(source);
    if (!(await readableFile(source))) {
      missing.push(given);
      continue;
    }
    let entry = entryNameFor(source, blendDir);
    if (taken.has(entry)) entry = externalEntryName(source);
    for (let n = 2; taken.has(entry); n++) entry = `${entry}~${n}`;
    taken.add(entry);
    members.push({ source, given, entry });
    included.push(given);
  }
  return { members, included, missing };
}

/** The copy must be a readable .blend; a bad one is the add-on's fault, named so the artist can report it. */
async function licensedCopy(copy: string, blend: string): Promise<string> {
  const cls = await classifyFile(copy).catch((err: unknown) => {
    throw toColophonError(err);
  });
  if (cls.kind !== 'blend') {
    throw new ColophonError('UNSUPPORTED_FORMAT', `the licensed copy of ${blend} is not a .blend file (its content is ${cls.format}). Archive ${path.basename(blend)} again from Blender.`);
  }
  return copy;
}

async function readableFile(file: string): Promise<boolean> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return false;
    await fs.access(file, fs.constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** Streams every member into the zip, hashing each as it goes (or from the bytes already read), then adds the extras built from those hashes. */
async function writeZip(
  tmp: string,
  members: Member[],
  extras: (files: MemberHash[]) => Array<[string, Buffer]>,
  signal?: AbortSignal,
): Promise<{ hashes: MemberHash[]; zip: { sha256: string; bytes: number } }> {
  const zip = new ZipWriter(tmp);
  const hashes: MemberHash[] = [];
  try {
    for (const m of members) {
      signal?.throwIfAborted();
      const compress = worthCompressing(m.source);
      if (m.snapshot?.data != null) zip.addBuffer(m.snapshot.data, m.entry, { compress, mtime: new Date(m.snapshot.mtimeMs) });
      const { sha256, bytes } = m.snapshot?.data != null ? m.snapshot : await zip.addHashed(m.source, m.entry, { compress }, signal);
      hashes.push({ entry: m.entry, source: m.source, sha256, bytes });
    }
    for (const [name, data] of extras(hashes)) zip.addBuffer(data, name);
    return { hashes, zip: await zip.end() };
  } catch (err) {
    await zip.abort();
    throw signal?.aborted ? signal.reason : toColophonError(err, 'OUTPUT_FAILED');
  }
}

async function sidecarBytes(blendName: string, sha256: string, profile: Profile): Promise<Buffer> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-xmp-'));
  try {
    const file = path.join(dir, `${blendName}.xmp`);
    await writeSidecar(file, rightsFromProfile(profile, 'digitalCreation'), { name: blendName, sha256 }, `the .xmp sidecar of ${blendName}`);
    return await fs.readFile(file);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * The zip's manifest. It travels with the delivery, so it holds no path of the artist's machine: each file is
 * named by its entry and by where it was relative to the .blend's folder.
 */
function manifest(assetId: string, blendName: string, blendDir: string, files: MemberHash[], missing: string[], p: Profile, now: Date): unknown {
  return JSON.parse(canonicalJson({
    format: 'colophon.blend-archive/1',
    assetId,
    blend: blendName,
    createdAt: now.toISOString(),
    files: files.map(({ entry, source, sha256, bytes }, i) => ({ entry, source: i === 0 ? blendName : relativeTo(blendDir, source), sha256, bytes })),
    missing: missing.map((m) => relativeTo(blendDir, resolveDependency(m, blendDir))),
    rights: {
      creator: p.creator, copyright: expandTemplate(p.copyright, p, now), licence: p.licence, dataMining: p.dataMining,
      otherConstraints: p.otherConstraints, noticeVersion: p.noticeVersion, termsVersion: p.termsVersion,
    },
  }));
}

/** `file` relative to `dir`, with forward slashes (`textures/a.png`, `../shared/lib.blend`). */
function relativeTo(dir: string, file: string): string {
  return path.relative(dir, file).split(path.sep).join('/');
}
