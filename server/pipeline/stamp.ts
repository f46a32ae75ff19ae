import fs from 'node:fs/promises';
import path from 'node:path';
import type { WriteTags } from 'exiftool-vendored';
import type { Profile } from '../../protocol/src/profile.ts';
import { expandTemplate } from '../config.ts';
import { ColophonError } from '../errors.ts';
import { tempNameFor } from '../util/atomic.ts';
import { exiftoolScript, getExifTool } from './exiftool.ts';
import { LEGACY_EXIF_IPTC } from './formats.ts';
import type { SniffedFormat } from './sniff.ts';
import { parsePng } from './png-xmp.ts';


const DST = 'http://cv.iptc.org/newscodes/digitalsourcetype/';

/** The rights statement, resolved from the profile once per asset. */
export interface RightsStamp {
  creator: string;
  email?: string;
  url?: string;
  rights: string;
  usageTerms: string;
  webStatement?: string;
  dataMining: Profile['dataMining'];
  otherConstraints: string;
  digitalSourceType: 'digitalCreation' | 'digitalCapture';
}

const MINING_SENTENCE: Record<Profile['dataMining'], string> = {
  'DMI-UNSPECIFIED': 'Data mining: no prohibition defined.',
  'DMI-ALLOWED': 'Data mining is allowed.',
  'DMI-PROHIBITED-AIMLTRAINING': 'Not licensed for AI/ML training.',
  'DMI-PROHIBITED-GENAIMLTRAINING': 'Not licensed for generative AI/ML training.',
  'DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING': 'No data mining or AI/ML training, except search engine indexing.',
  'DMI-PROHIBITED': 'No data mining, AI/ML training or dataset use of any kind.',
  'DMI-PROHIBITED-SEECONSTRAINT': 'Data mining prohibited; see the constraints below.',
  'DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR': 'Data mining prohibited; see the embedded rights expression.',
  'DMI-PROHIBITED-SEELINKEDRIGHTSEXPR': 'Data mining prohibited; see the linked rights expression.',
};

export function rightsFromProfile(profile: Profile, digitalSourceType: RightsStamp['digitalSourceType'], now = new Date()): RightsStamp {
  const { licence } = profile;
  const terms = [licence.name, licence.terms, licence.url != null ? `Licence: ${licence.url}` : undefined]
    .filter((s): s is string => s != null && s !== '')
    .map((s) => s.replace(/\.$/, ''))
    .join('. ');
  const stamp: RightsStamp = {
    creator: profile.creator.name,
    rights: expandTemplate(profile.copyright, profile, now),
    usageTerms: `${terms}. ${MINING_SENTENCE[profile.dataMining]} ${profile.otherConstraints}`,
    dataMining: profile.dataMining,
    otherConstraints: profile.otherConstraints,
    digitalSourceType,
  };
  if (profile.creator.email != null) stamp.email = profile.creator.email;
  if (profile.creator.url != null) stamp.url = profile.creator.url;
  const web = profile.webStatement ?? licence.url;
  if (web != null) stamp.webStatement = web;
  return stamp;
}

/** exiftool's date form, in UTC: `2026:12:01 09:30:00+00:00`. */
function exifDate(d: Date): string {
  return `${d.toISOString().slice(0, 19).replace(/-/g, ':').replace('T', ' ')}+00:00`;
}

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character. */
export function truncateUtf8(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let out = '';
  for (const ch of s) {
    if (Buffer.byteLength(out + ch) > max) break;
    out += ch;
  }
  return out;
}

/** Tags to write. `format` decides whether EXIF and IPTC-IIM are added (within the IIM byte limits). */
export function stampTags(r: RightsStamp, format: string, now = new Date()): { tags: WriteTags; warnings: string[] } {
  const warnings: string[] = [];
  const licensor: Record<string, string> = { LicensorName: r.creator };
  if (r.url != null) licensor.LicensorURL = r.url;
  if (r.email != null) licensor.LicensorEmail = r.email;
  const t: Record<string, unknown> = {
    'XMP-dc:Creator': [r.creator],
    'XMP-dc:Rights': r.rights,
    'XMP-xmpRights:Marked': true,
    'XMP-xmpRights:UsageTerms': r.usageTerms,
    'XMP-plus:DataMining#': r.dataMining,
    'XMP-plus:OtherConstraints': r.otherConstraints,
    'XMP-plus:Licensor': [licensor],
    'XMP-plus:CopyrightOwner': [{ CopyrightOwnerName: r.creator }],
    'XMP-photoshop:Credit': r.creator,
    'XMP-iptcExt:DigitalSourceType': DST + r.digitalSourceType,
    // Every stamp changes the metadata, so its date moves too (XMP spec: MetadataDate).
    'XMP-xmp:MetadataDate': exifDate(now),
  };
  if (r.webStatement != null) t['XMP-xmpRights:WebStatement'] = r.webStatement;
  if (r.email != null) t['XMP-iptcCore:CreatorWorkEmail'] = r.email;
  if (r.url != null) t['XMP-iptcCore:CreatorWorkURL'] = r.url;
  if (LEGACY_EXIF_IPTC.has(format as SniffedFormat)) {
    t['EXIF:Artist'] = r.creator;
    t['EXIF:Copyright'] = r.rights;
    t['IPTC:CodedCharacterSet'] = 'UTF8';
    const iim = (tag: string, value: string, max: number) => {
      const cut = truncateUtf8(value, max);
      if (cut !== value) warnings.push(`${tag} shortened to its ${max}-byte IPTC-IIM limit; the full text is in XMP`);
      return cut;
    };
    t['IPTC:By-line'] = [iim('IPTC By-line', r.creator, 32)];
    t['IPTC:CopyrightNotice'] = iim('IPTC CopyrightNotice', r.rights, 128);
    t['IPTC:Credit'] = iim('IPTC Credit', r.creator, 32);
    // The digest of the IIM block as written tells Adobe tools (and MWG readers) that IIM and XMP are in sync.
    t['Photoshop:IPTCDigest'] = 'new';
  }
  return { tags: t as WriteTags, warnings };
}

/**
 * Embeds the stamp in `file` (in place: callers pass a temp copy) and verifies it by reading back.
 * `label` names the user's file in messages (never the temp copy).
 */
export async function embedStamp(file: string, format: string, r: RightsStamp, label = file): Promise<string[]> {
  const { tags, warnings } = stampTags(r, format);
  const legacy = LEGACY_EXIF_IPTC.has(format as SniffedFormat);
  // IIM is written anew here: mirror what the file's XMP already says into it first, so the two agree (MWG).
  const defects = format === 'png' ? await embedPngXmp(file, tags, label) : await writeChecked(file, tags, { label, mirrorXmpToIim: legacy });
  await verifyStamp(file, r, legacy, label, tags);
  if (defects.length > 0) {
    warnings.push(
      `the source's own metadata has a minor defect (${defects.join('; ')}); the rights stamp was written past it ` +
        '(exiftool told to ignore minor errors) and every stamped field was verified by reading it back',
    );
  }
  return warnings;
}

/**
 * exiftool rewrites a PNG slowly (about 1.5 s for an 8 MB 16-bit render), so for PNG it only writes the XMP packet,
 * into a small sidecar seeded with the PNG's own XMP (so fields we do not set survive), and the packet is then put
 * into the PNG here. exiftool still authors every byte of XMP and still reads the result back.
 */
async function embedPngXmp(file: string, tags: WriteTags, label: string): Promise<string[]> {
  const png = await fs.readFile(file);
  const sidecar = tempNameFor(`${file}.xmp`);
  try {
    const parsed = parsePng(png, label);
    const existing = parsed.xmp();
    if (existing != null) await fs.writeFile(sidecar, existing);
    const defects = await writeChecked(sidecar, tags, { label });
    await fs.writeFile(file, Buffer.concat(parsed.withXmp(await fs.readFile(sidecar, 'utf8'))));
    return defects;
  } finally {
    await fs.rm(sidecar, { force: true });
  }
}

/** The file a sidecar describes: its name and content hash. */
export interface SidecarSubject {
  name: string;
  sha256: string;
}

/**
 * Creates a new `.xmp` sidecar at `file` (must end in .xmp and not exist yet) and verifies it. With `subject`, the
 * sidecar is bound to its file (XMP spec: xmpMM:DocumentID/InstanceID; Dublin Core: dc:identifier, dc:source), so
 * no two files share a sidecar and a sidecar found on its own says which file it belongs to.
 */
export async function writeSidecar(file: string, r: RightsStamp, subject?: SidecarSubject, label = file): Promise<void> {
  const { tags } = stampTags(r, 'xmp');
  if (subject != null) Object.assign(tags, sidecarBinding(subject));
  await writeChecked(file, tags, { label });
  await verifyStamp(file, r, false, label, tags);
}

interface WriteOptions {
  /** The user's file, for messages (the file written is usually a temp copy). */
  label?: string;
  /** Copy the file's existing XMP into IPTC-IIM (exiftool's own xmp2iptc mapping) before the stamp is applied. */
  mirrorXmpToIim?: boolean;
}

let xmp2iptc: Promise<string[]> | null = null;

/**
 * exiftool's own XMP → IPTC-IIM mapping (the xmp2iptc.args file shipped beside the exiftool script), one
 * redirection per argument, without the tags this stamp sets: a copy would override the stamp's values, because
 * exiftool applies the copy after the assignments.
 */
async function mirrorArgs(tags: WriteTags): Promise<string[]> {
  xmp2iptc ??= (async () => {
    const text = await fs.readFile(path.join(path.dirname(await exiftoolScript()), 'arg_files', 'xmp2iptc.args'), 'utf8');
    return text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('-') && l.includes('<'));
  })();
  const ours = new Set(Object.keys(tags).map((k) => k.toLowerCase()));
  return (await xmp2iptc).filter((l) => !ours.has(l.slice(1, l.indexOf('<')).trim().toLowerCase()));
}

/**
 * Writes tags; any exiftool warning (e.g. a value it could not convert and silently dropped) is a failure.
 * One exception, for defects already in the source: when exiftool refuses only because of a *minor* error in
 * the file's existing metadata, the write is repeated with minor errors ignored. Returns those source defects,
 * for the caller to verify every field and report them.
 */
export async function writeChecked(file: string, tags: WriteTags, opts: WriteOptions = {}): Promise<string[]> {
  const label = opts.label ?? file;
  const clean = (m: string) => m.split(` - ${file}`).join('').split(file).join(label).replace(/^(Warning|Error):\s*/i, '').trim();
  const args = ['-overwrite_original'];
  if (opts.mirrorXmpToIim === true) args.push('-tagsFromFile', '@', ...(await mirrorArgs(tags)));
  const write = (ignoreMinorErrors: boolean) => getExifTool().write(file, tags, { useMWG: false, writeArgs: args, ignoreMinorErrors });
  const failed = (what: string, cause?: unknown) =>
    new ColophonError(
      'METADATA_WRITE_FAILED',
      `${label}: the rights metadata could not be written (${what}). The file's own metadata is damaged beyond what can be written past; ` +
        're-save it from the application that made it (or strip its metadata) and process it again.',
      { cause },
    );
  // Mirroring from a file with no XMP copies nothing, and exiftool says so; that is not a problem.
  const relevant = (ws: string[] | undefined) => (ws ?? []).filter((w) => !(opts.mirrorXmpToIim === true && /No writable tags set from/i.test(w)));
  let defects: string[] = [];
  let res: { warnings?: string[] };
  try {
    res = await write(false);
  } catch (err) {
    const msg = clean((err as Error).message);
    if (!/^\[minor\]/i.test(msg)) throw failed(`exiftool: ${msg}`, err);
    try {
      res = await write(true);
    } catch (err2) {
      throw failed(`exiftool: ${clean((err2 as Error).message)}`, err2);
    }
    // With minor errors ignored, exiftool repeats the source's defects as warnings; the caller's read-back of
    // every stamped field is what shows that none of them is about our stamp.
    defects = [...new Set([msg.replace(/^\[minor\]\s*/i, ''), ...relevant(res.warnings).map(clean)])];
    return defects;
  }
  // exiftool-vendored resolves on warnings (e.g. a value it silently dropped): that is a failed stamp.
  const warned = relevant(res.warnings);
  if (warned.length > 0) {
    throw new ColophonError('METADATA_WRITE_FAILED', `${label}: exiftool warned while writing rights metadata: ${warned.map(clean).join('; ')}`);
  }
  return defects;
}

function sidecarBinding(s: SidecarSubject): WriteTags {
  return {
    'XMP-xmpMM:DocumentID': `urn:sha256:${s.sha256}`,
    'XMP-xmpMM:InstanceID': `urn:sha256:${s.sha256}`,
    'XMP-dc:Identifier': `sha256:${s.sha256}`,
    'XMP-dc:Source': s.name,
  } as WriteTags;
}

/** Plain tags whose read-back value must equal what was written (structs and computed tags are checked apart). */
const NOT_COMPARED = new Set(['XMP-plus:Licensor', 'XMP-plus:CopyrightOwner', 'IPTC:CodedCharacterSet', 'Photoshop:IPTCDigest', 'XMP-plus:DataMining#']);

/** Reads the file back with exiftool and throws naming every field that did not land. */
async function verifyStamp(file: string, r: RightsStamp, legacy: boolean, label = file, written?: WriteTags): Promise<void> {
  const got = (await getExifTool().readRaw(file, ['-G1', '-n', '-XMP:all', '-EXIF:Artist', '-EXIF:Copyright', '-IPTC:all', '-Photoshop:IPTCDigest', '-File:CurrentIPTCDigest'])) as Record<string, unknown>;
  const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
  const expect: Array<[string, unknown, unknown]> = [
    ['XMP-dc:Creator', first(got['XMP-dc:Creator']), r.creator],
    ['XMP-dc:Rights', got['XMP-dc:Rights'], r.rights],
    ['XMP-plus:DataMining', got['XMP-plus:DataMining'], r.dataMining],
    ['XMP-xmpRights:Marked', String(got['XMP-xmpRights:Marked']).toLowerCase(), 'true'],
    ['XMP-plus:OtherConstraints', got['XMP-plus:OtherConstraints'], r.otherConstraints],
    // exiftool flattens the Licensor struct's name field under this tag name.
    ['XMP-plus:LicensorName', first(got['XMP-plus:LicensorLicensorName'] ?? got['XMP-plus:LicensorName']), r.creator],
    ['XMP-plus:CopyrightOwnerName', first(got['XMP-plus:CopyrightOwnerCopyrightOwnerName'] ?? got['XMP-plus:CopyrightOwnerName']), r.creator],
  ];
  if (r.webStatement != null) expect.push(['XMP-xmpRights:WebStatement', got['XMP-xmpRights:WebStatement'], r.webStatement]);
  if (legacy) {
    expect.push(['IFD0:Artist', got['IFD0:Artist'], r.creator]);
    expect.push(['IFD0:Copyright', got['IFD0:Copyright'], r.rights]);
    expect.push(['IPTC:By-line', first(got['IPTC:By-line']), truncateUtf8(r.creator, 32)]);
    expect.push(['Photoshop:IPTCDigest', got['Photoshop:IPTCDigest'], got['File:CurrentIPTCDigest'] ?? 'the digest of the IIM block']);
  }
  for (const [tag, value] of Object.entries(written ?? {})) {
    if (NOT_COMPARED.has(tag) || expect.some(([k]) => k === tag)) continue;
    const key = tag.replace(/^EXIF:/, 'IFD0:');
    expect.push([tag, first(got[key]), first(value)]);
  }
  const bad = expect.filter(([, actual, wanted]) => String(actual) !== String(wanted)).map(([k]) => k);
  if (bad.length > 0) {
    throw new ColophonError('METADATA_WRITE_FAILED', `${label}: rights metadata did not read back correctly (${bad.join(', ')} missing or different); nothing was recorded. Process it again; if it keeps failing, re-save the file from the application that made it.`);
  }
}

/** True when the file's EXIF names a camera: then it is a captured photo, not a digital creation. */
export async function looksCameraMade(file: string): Promise<boolean> {
  try {
    const got = (await getExifTool().readRaw(file, ['-G1', '-IFD0:Make', '-IFD0:Model'])) as Record<string, unknown>;
    return got['IFD0:Make'] != null || got['IFD0:Model'] != null;
  } catch {
    return false;
  }
}
