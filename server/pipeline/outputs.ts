import fs from 'node:fs/promises';
import path from 'node:path';
import type { Output } from '../../protocol/src/results.ts';
import { ColophonError } from '../errors.ts';
import { produceAtomic } from '../util/atomic.ts';
import { sha256File } from '../util/hash.ts';
import { signOutput, type SignContext } from '../c2pa/sign.ts';
import { EMBEDDABLE, embedStamp, writeSidecar, type RightsStamp } from './stamp.ts';

type Describe = Pick<Output, 'visibility' | 'purpose' | 'metadata'> & { width?: number; height?: number; phash?: string; credential?: Output['credential'] };

/** Describes a finished output file for the results, hashing it unless its hash is already known. */
export async function describeOutput(file: string, d: Describe, known?: { sha256: string; bytes: number }): Promise<Output> {
  const { sha256, bytes } = known ?? (await sha256File(file));
  const out: Output = { path: file, visibility: d.visibility, purpose: d.purpose, sha256, bytes, metadata: d.metadata };
  if (d.width != null) out.width = d.width;
  if (d.height != null) out.height = d.height;
  if (d.phash != null) out.phash = d.phash;
  if (d.credential != null) out.credential = d.credential;
  return out;
}

/**
 * The private master: a stamped copy where the format can carry XMP, else a byte-identical copy plus a
 * `.xmp` sidecar. The copy is checked against the input's hash before stamping, so a file that changed
 * while it was being read is caught rather than recorded under the wrong hash.
 */
export async function writeMaster(
  input: string,
  inputSha: string,
  format: string,
  dest: string,
  rights: RightsStamp,
  dims: { width?: number; height?: number },
  credential: SignContext,
): Promise<{ outputs: Output[]; warnings: string[] }> {
  const warnings: string[] = [];
  const embed = EMBEDDABLE.has(format);
  let c2paSidecar: string | undefined;
  let credentialAt: Output['credential'];
  const copied = await produceAtomic(dest, async (tmp) => {
    await fs.copyFile(input, tmp);
    await fs.chmod(tmp, 0o644); // copyFile keeps the source's mode; outputs must stay writable for the artist
    const hashed = await sha256File(tmp);
    if (hashed.sha256 !== inputSha) {
      throw new ColophonError('CHANGED_WHILE_READING', `${input} changed while it was being processed (its content no longer matches the hash taken a moment ago). Wait until the file is fully written and process it again.`);
    }
    if (embed) warnings.push(...(await embedStamp(tmp, format, rights, input)));
    // Sign: the last write to the file (C2PA embedded, or `<dest>.c2pa` beside it).
    const signed = await signOutput({ file: tmp, dest, format, role: 'master', rights }, credential);
    warnings.push(...signed.warnings);
    c2paSidecar = signed.sidecar;
    credentialAt = signed.embedded ? 'embedded' : 'sidecar';
    return hashed;
  });
  // A byte-identical master already has the hash just checked; a stamped one must be hashed again.
  const master = { visibility: 'private', purpose: 'master', metadata: embed ? 'embedded' : 'sidecar', credential: credentialAt, ...dims } as const;
  const outputs = [await describeOutput(dest, master, embed ? undefined : copied)];
  if (!embed) {
    const sidecar = `${dest}.xmp`;
    await produceAtomic(sidecar, (tmp) => writeSidecar(tmp, rights, { name: path.basename(dest), sha256: inputSha }, `the .xmp sidecar of ${input}`));
    outputs.push(await describeOutput(sidecar, { visibility: 'private', purpose: 'sidecar', metadata: 'embedded' }));
  }
  if (c2paSidecar != null) outputs.push(await describeOutput(c2paSidecar, { visibility: 'private', purpose: 'sidecar', metadata: 'embedded' }));
  return { outputs, warnings };
}

/** Writes an encoded preview, stamps it, verifies the stamp, then moves it into place. */
export async function writePreview(
  buffer: Buffer,
  format: 'jpeg' | 'webp',
  dest: string,
  rights: RightsStamp,
  credential: SignContext & { parent: string },
  label = dest,
): Promise<{ warnings: string[]; credential: NonNullable<Output['credential']> }> {
  return produceAtomic(dest, async (tmp) => {
    await fs.writeFile(tmp, buffer);
    const warnings = await embedStamp(tmp, format, rights, `the preview of ${label}`);
    // Sign last, with the signed master as the parent ingredient.
    const signed = await signOutput({ file: tmp, dest, format, role: 'preview', rights, parent: credential.parent }, credential);
    return { warnings: [...warnings, ...signed.warnings], credential: signed.embedded ? 'embedded' : 'sidecar' };
  });
}
