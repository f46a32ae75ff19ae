import fs from 'node:fs/promises';
import path from 'node:path';
import type { Output } from '../../protocol/src/results.ts';
import { signOutput, type SignContext, type Signed } from '../c2pa/sign.ts';
import { produceAtomic, tempNameFor, writeFileAtomic, writeNewFile } from '../util/atomic.ts';
import { sha256Buffer, sha256File, sha256FileFinding } from '../util/hash.ts';
import { parsePng } from './png-xmp.ts';
import type { InputSnapshot } from './stages/context.ts';
import { assertInputUnchanged } from './stages/read-input.ts';
import { XMP_EMBEDDABLE } from './formats.ts';
import type { SniffedFormat } from './sniff.ts';
import { embedStamp, writeSidecar, type RightsStamp } from './stamp.ts';
import { applyJpegTemplate, assertCarriesTemplate, stampTemplate, templateBlocks, templateLost, type StampTemplate } from './stamp-template.ts';

type Describe = Pick<Output, 'visibility' | 'purpose' | 'metadata'> & { width?: number; height?: number; phash?: string; credential?: Output['credential'] };
interface Hashed {
  sha256: string;
  bytes: number;
}

/** Describes a finished output file for the results, hashing it unless its hash is already known. */
export async function describeOutput(file: string, d: Describe, known?: Hashed): Promise<Output> {
  const { sha256, bytes } = known ?? (await sha256File(file));
  const out: Output = { path: file, visibility: d.visibility, purpose: d.purpose, sha256, bytes, metadata: d.metadata };
  if (d.width != null) out.width = d.width;
  if (d.height != null) out.height = d.height;
  if (d.phash != null) out.phash = d.phash;
  if (d.credential != null) out.credential = d.credential;
  return out;
}

/**
 * The last two steps of every stamped output, in their fixed order: sign (the Content Credential is the last write:
 * embedded, or `<dest>.c2pa` beside it), then hash the finished bytes. For a file on disk stamped by exiftool.
 */
async function signAndHash(
  tmp: string,
  target: OutputSignTarget,
  credential: SignContext,
): Promise<{ hashed: Hashed; signed: Signed }> {
  const signed = await signOutput({ file: tmp, ...target }, credential);
  return { hashed: await sha256File(tmp), signed };
}

/**
 * signAndHash for bytes in memory stamped from a template: signed in memory, checked to still carry the template's
 * blocks, hashed, and handed back to be written once.
 */
async function signAndHashInMemory(
  unsigned: Buffer,
  target: OutputSignTarget,
  credential: SignContext,
  template: StampTemplate,
  label: string,
): Promise<InMemory> {
  const signed = await signOutput({ file: { bytes: unsigned }, ...target }, credential);
  const bytes = signed.bytes!;
  assertCarriesTemplate(bytes, template, label);
  return { bytes, hashed: await sha256Buffer(bytes), signed, warnings: [...template.warnings, ...signed.warnings] };
}

type OutputSignTarget = { dest: string; format: string; role: 'master' | 'preview'; rights: RightsStamp; parent?: string };

/** An output finished in memory (stamped, signed, hashed) and not yet written. */
interface InMemory {
  bytes: Buffer;
  hashed: Hashed;
  signed: Signed;
  warnings: string[];
}

interface Master {
  outputs: Output[];
  warnings: string[];
}

/** Writes an output made in memory into place, its credential's sidecar first when it has one. */
async function placeInMemory(dest: string, made: InMemory): Promise<void> {
  if (made.signed.sidecar != null && made.signed.store != null) await writeFileAtomic(made.signed.sidecar, made.signed.store);
  await writeFileAtomic(dest, made.bytes);
}

/** A master finished (stamped, signed, hashed) under a temp name beside its destination, not yet in place. */
export interface PreparedMaster {
  tmp: string;
  hashed: Hashed;
  signed: Signed;
  warnings: string[];
}

/**
 * A PNG master with no XMP of its own, read whole by read-input: written beside its destination under a temp name
 * as the input's bytes with the template's packet added (no stamped copy of a render is made in memory), signed
 * there by the SDK, then read once to hash it and to check the packet survived. Null for every other master, which
 * writeMaster stamps with exiftool. The caller moves it into place (writeMaster) or removes it (discardMaster).
 */
export async function prepareMaster(input: InputSnapshot, format: string, dest: string, rights: RightsStamp, credential: SignContext, label: string): Promise<PreparedMaster | null> {
  const png = format === 'png' && input.data != null ? parsePng(input.data, label) : null;
  if (png == null || png.hasXmp) return null;
  const template = (await stampTemplate('png', rights, credential.configDir)) as Extract<StampTemplate, { format: 'png' }>;
  const tmp = tempNameFor(dest);
  try {
    await writeNewFile(tmp, png.withXmp(template.packet));
    const signed = await signOutput({ file: tmp, dest, format, role: 'master', rights, holdSidecar: true }, credential);
    const { found, ...hashed } = await sha256FileFinding(tmp, templateBlocks(template));
    if (!found.every(Boolean)) throw templateLost(label);
    return { tmp, hashed, signed, warnings: [...template.warnings, ...signed.warnings] };
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** Moves a prepared master into place (synced first), its credential's sidecar before it when it has one. */
async function placeMaster(dest: string, made: PreparedMaster): Promise<void> {
  try {
    if (made.signed.sidecar != null && made.signed.store != null) await writeFileAtomic(made.signed.sidecar, made.signed.store);
    const fh = await fs.open(made.tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(made.tmp, dest);
  } catch (err) {
    await discardMaster(made);
    throw err;
  }
}

/** Removes a prepared master that will not be placed (the picture failed to decode, the job was cancelled). */
export async function discardMaster(made: PreparedMaster | null | undefined): Promise<void> {
  if (made != null) await fs.rm(made.tmp, { force: true });
}

/**
 * The private master: a stamped copy where the format can carry XMP, else a byte-identical copy plus a `.xmp`
 * sidecar. A PNG with no XMP of its own gets the stamp template's packet (prepareMaster); anything else is stamped by
 * exiftool, which merges with the metadata already there. Written from the bytes read by read-input, so the master
 * is exactly what was hashed; a large file is copied and checked not to have changed since.
 */
export async function writeMaster(
  input: InputSnapshot,
  format: string,
  dest: string,
  rights: RightsStamp,
  dims: { width?: number; height?: number },
  credential: SignContext,
  label: string,
  /** The master already made by prepareMaster (null: it could not be), when the caller started it early. */
  prepared?: PreparedMaster | null,
): Promise<Master> {
  const embed = XMP_EMBEDDABLE.has(format as SniffedFormat);
  const target = { dest, format, role: 'master', rights } as const;
  const describe = (credentialAt: Output['credential'], hashed: Hashed) =>
    describeOutput(dest, { visibility: 'private', purpose: 'master', metadata: embed ? 'embedded' : 'sidecar', credential: credentialAt, ...dims }, hashed);
  const credentialOf = (signed: Signed) => (signed.embedded ? 'embedded' : 'sidecar') as Output['credential'];
  const sidecarsOf = (signed: Signed) => (signed.sidecar != null ? describeOutput(signed.sidecar, { visibility: 'private', purpose: 'sidecar', metadata: 'embedded' }) : null);

  const made = prepared !== undefined ? prepared : await prepareMaster(input, format, dest, rights, credential, label);
  if (made != null) {
    await placeMaster(dest, made);
    const outputs = [await describe(credentialOf(made.signed), made.hashed), await sidecarsOf(made.signed)].filter((o) => o != null);
    return { outputs, warnings: made.warnings };
  }

  const warnings: string[] = [];
  let signedAs: Signed | undefined;
  const hashed = await produceAtomic(dest, async (tmp) => {
    if (input.data != null) await fs.writeFile(tmp, input.data, { mode: 0o644 });
    else {
      await fs.copyFile(input.file, tmp);
      await fs.chmod(tmp, 0o644); // copyFile keeps the source's mode; outputs must stay writable for the artist
      await assertInputUnchanged(input, label);
    }
    if (embed) {
      warnings.push(...(await embedStamp(tmp, format, rights, label)));
      const { hashed, signed } = await signAndHash(tmp, target, credential);
      signedAs = signed;
      return hashed;
    }
    // Bytes unchanged (the credential goes beside it): the master's hash is the input's.
    signedAs = await signOutput({ file: input.data != null ? { bytes: input.data } : tmp, ...target }, credential);
    if (signedAs.store != null) await writeFileAtomic(signedAs.sidecar!, signedAs.store);
    return { sha256: input.sha256, bytes: input.bytes };
  });
  warnings.push(...signedAs!.warnings);
  const outputs = [await describe(credentialOf(signedAs!), hashed)];
  if (!embed) {
    const sidecar = `${dest}.xmp`;
    await produceAtomic(sidecar, (tmp) => writeSidecar(tmp, rights, { name: path.basename(dest), sha256: input.sha256 }, `the .xmp sidecar of ${label}`));
    outputs.push(await describeOutput(sidecar, { visibility: 'private', purpose: 'sidecar', metadata: 'embedded' }));
  }
  const c2pa = await sidecarsOf(signedAs!);
  if (c2pa != null) outputs.push(c2pa);
  return { outputs, warnings };
}

interface WrittenPreview {
  warnings: string[];
  credential: NonNullable<Output['credential']>;
  hashed: Hashed;
}

/** Writes an encoded preview with the stamp (JPEG: the template's blocks; WebP: exiftool), signs it, moves it into place. */
export async function writePreview(
  buffer: Buffer,
  format: 'jpeg' | 'webp',
  dest: string,
  rights: RightsStamp,
  credential: SignContext & { parent: string },
  label: string,
): Promise<WrittenPreview> {
  const { parent, ...signContext } = credential;
  // Signed with the signed master (read from where it was placed) as the parent ingredient.
  const target = { dest, format, role: 'preview', rights, parent } as const;
  const what = `the preview of ${label}`;
  if (format === 'jpeg') {
    const template = (await stampTemplate('jpeg', rights, signContext.configDir)) as Extract<StampTemplate, { format: 'jpeg' }>;
    const made = await signAndHashInMemory(applyJpegTemplate(buffer, template, what), target, signContext, template, what);
    await placeInMemory(dest, made);
    return { warnings: made.warnings, credential: made.signed.embedded ? 'embedded' : 'sidecar', hashed: made.hashed };
  }
  return produceAtomic(dest, async (tmp) => {
    await fs.writeFile(tmp, buffer, { mode: 0o644 });
    const stampWarnings = await embedStamp(tmp, format, rights, what);
    const { hashed, signed } = await signAndHash(tmp, target, signContext);
    return { warnings: [...stampWarnings, ...signed.warnings], credential: signed.embedded ? 'embedded' : 'sidecar', hashed };
  });
}
