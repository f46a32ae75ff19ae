import fs from 'node:fs/promises';
import path from 'node:path';
import type { Output } from '../../protocol/src/results.ts';
import { signOutput, type SignContext } from '../c2pa/sign.ts';
import { produceAtomic } from '../util/atomic.ts';
import { sha256Buffer, sha256File } from '../util/hash.ts';
import { readPngXmp } from './png-xmp.ts';
import type { InputSnapshot } from './stages/context.ts';
import { assertInputUnchanged } from './stages/read-input.ts';
import { XMP_EMBEDDABLE } from './formats.ts';
import type { SniffedFormat } from './sniff.ts';
import { embedStamp, writeSidecar, type RightsStamp } from './stamp.ts';
import { applyJpegTemplate, applyPngTemplate, assertCarriesTemplate, stampTemplate, type StampTemplate } from './stamp-template.ts';

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
 * embedded, or `<dest>.c2pa` beside it), then hash the finished bytes. With a template stamp, the finished bytes
 * are also checked to still carry it.
 */
async function signAndHash(
  tmp: string,
  target: { dest: string; format: string; role: 'master' | 'preview'; rights: RightsStamp; parent?: string },
  credential: SignContext,
  template: StampTemplate | null,
  label: string,
  inMemory: boolean,
): Promise<{ hashed: Hashed; signed: Awaited<ReturnType<typeof signOutput>> }> {
  const signed = await signOutput({ file: tmp, ...target }, credential);
  if (!inMemory) return { hashed: await sha256File(tmp), signed };
  const bytes = await fs.readFile(tmp);
  if (template != null) assertCarriesTemplate(bytes, template, label);
  return { hashed: await sha256Buffer(bytes), signed };
}

/**
 * The private master: a stamped copy where the format can carry XMP, else a byte-identical copy plus a `.xmp`
 * sidecar. A PNG with no XMP of its own gets the stamp template's packet in memory; anything else is stamped by
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
): Promise<{ outputs: Output[]; warnings: string[] }> {
  const warnings: string[] = [];
  const embed = XMP_EMBEDDABLE.has(format as SniffedFormat);
  let c2paSidecar: string | undefined;
  let credentialAt: Output['credential'];
  const hashed = await produceAtomic(dest, async (tmp) => {
    let template: StampTemplate | null = null;
    if (input.data != null) {
      if (embed && format === 'png' && readPngXmp(input.data, label) == null) template = await stampTemplate('png', rights);
      await fs.writeFile(tmp, template?.format === 'png' ? applyPngTemplate(input.data, template, label) : input.data, { mode: 0o644 });
    } else {
      await fs.copyFile(input.file, tmp);
      await fs.chmod(tmp, 0o644); // copyFile keeps the source's mode; outputs must stay writable for the artist
      await assertInputUnchanged(input, label);
    }
    if (template != null) warnings.push(...template.warnings);
    else if (embed) warnings.push(...(await embedStamp(tmp, format, rights, label)));
    if (!embed) {
      // Bytes unchanged (the credential goes beside it): the master's hash is the input's.
      const signed = await signOutput({ file: tmp, dest, format, role: 'master', rights }, credential);
      warnings.push(...signed.warnings);
      c2paSidecar = signed.sidecar;
      credentialAt = 'sidecar';
      return { sha256: input.sha256, bytes: input.bytes };
    }
    const { hashed, signed } = await signAndHash(tmp, { dest, format, role: 'master', rights }, credential, template, label, input.data != null);
    warnings.push(...signed.warnings);
    c2paSidecar = signed.sidecar;
    credentialAt = signed.embedded ? 'embedded' : 'sidecar';
    return hashed;
  });
  const master = { visibility: 'private', purpose: 'master', metadata: embed ? 'embedded' : 'sidecar', credential: credentialAt, ...dims } as const;
  const outputs = [await describeOutput(dest, master, hashed)];
  if (!embed) {
    const sidecar = `${dest}.xmp`;
    await produceAtomic(sidecar, (tmp) => writeSidecar(tmp, rights, { name: path.basename(dest), sha256: input.sha256 }, `the .xmp sidecar of ${label}`));
    outputs.push(await describeOutput(sidecar, { visibility: 'private', purpose: 'sidecar', metadata: 'embedded' }));
  }
  if (c2paSidecar != null) outputs.push(await describeOutput(c2paSidecar, { visibility: 'private', purpose: 'sidecar', metadata: 'embedded' }));
  return { outputs, warnings };
}

/** Writes an encoded preview with the stamp (JPEG: the template's blocks; WebP: exiftool), signs it, moves it into place. */
export async function writePreview(
  buffer: Buffer,
  format: 'jpeg' | 'webp',
  dest: string,
  rights: RightsStamp,
  credential: SignContext & { parent: string },
  label: string,
): Promise<{ warnings: string[]; credential: NonNullable<Output['credential']>; hashed: Hashed }> {
  return produceAtomic(dest, async (tmp) => {
    const warnings: string[] = [];
    let template: StampTemplate | null = null;
    if (format === 'jpeg') {
      template = await stampTemplate('jpeg', rights);
      await fs.writeFile(tmp, applyJpegTemplate(buffer, template as Extract<StampTemplate, { format: 'jpeg' }>, `the preview of ${label}`), { mode: 0o644 });
      warnings.push(...template.warnings);
    } else {
      await fs.writeFile(tmp, buffer, { mode: 0o644 });
      warnings.push(...(await embedStamp(tmp, format, rights, `the preview of ${label}`)));
    }
    // Signed with the signed master as the parent ingredient.
    const { hashed, signed } = await signAndHash(tmp, { dest, format, role: 'preview', rights, parent: credential.parent }, credential, template, `the preview of ${label}`, true);
    return { warnings: [...warnings, ...signed.warnings], credential: signed.embedded ? 'embedded' : 'sidecar', hashed };
  });
}
