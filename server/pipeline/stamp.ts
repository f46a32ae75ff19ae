import fs from 'node:fs/promises';
import type { WriteTags } from 'exiftool-vendored';
import type { Profile } from '../../protocol/src/profile.ts';
import { expandTemplate } from '../config.ts';
import { ColophonError } from '../errors.ts';
import { tempNameFor } from '../util/atomic.ts';
import { getExifTool } from './exiftool.ts';
import { readPngXmp, withPngXmp } from './png-xmp.ts';

/** Formats exiftool can embed XMP into; everything else gets a `.xmp` sidecar. */
export const EMBEDDABLE = new Set(['jpeg', 'png', 'webp', 'tiff', 'gif', 'avif', 'heif']);
/** Formats where EXIF Artist/Copyright and IPTC-IIM are standard places for rights too. */
const LEGACY_FORMATS = new Set(['jpeg', 'tiff']);

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
export function stampTags(r: RightsStamp, format: string): { tags: WriteTags; warnings: string[] } {
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
  };
  if (r.webStatement != null) t['XMP-xmpRights:WebStatement'] = r.webStatement;
  if (r.email != null) t['XMP-iptcCore:CreatorWorkEmail'] = r.email;
  if (r.url != null) t['XMP-iptcCore:CreatorWorkURL'] = r.url;
  if (LEGACY_FORMATS.has(format)) {
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
  }
  return { tags: t as WriteTags, warnings };
}

/** Embeds the stamp in `file` (in place: callers pass a temp copy) and verifies it by reading back. */
export async function embedStamp(file: string, format: string, r: RightsStamp): Promise<string[]> {
  const { tags, warnings } = stampTags(r, format);
  if (format === 'png') await embedPngXmp(file, tags);
  else await writeChecked(file, tags);
  await verifyStamp(file, r, LEGACY_FORMATS.has(format));
  return warnings;
}

/**
 * exiftool rewrites a PNG slowly (about 1.5 s for an 8 MB 16-bit render), so for PNG it only writes the XMP packet,
 * into a small sidecar seeded with the PNG's own XMP (so fields we do not set survive), and the packet is then put
 * into the PNG here. exiftool still authors every byte of XMP and still reads the result back.
 */
async function embedPngXmp(file: string, tags: WriteTags): Promise<void> {
  const png = await fs.readFile(file);
  const sidecar = tempNameFor(`${file}.xmp`);
  try {
    const existing = readPngXmp(png, file);
    if (existing != null) await fs.writeFile(sidecar, existing);
    await writeChecked(sidecar, tags);
    await fs.writeFile(file, withPngXmp(png, await fs.readFile(sidecar, 'utf8'), file));
  } finally {
    await fs.rm(sidecar, { force: true });
  }
}

/** Creates a new `.xmp` sidecar at `file` (must end in .xmp and not exist yet) and verifies it. */
export async function writeSidecar(file: string, r: RightsStamp): Promise<void> {
  await writeChecked(file, stampTags(r, 'xmp').tags);
  await verifyStamp(file, r, false);
}

/** Writes tags; any exiftool warning (e.g. a value it could not convert and silently dropped) is a failure. */
export async function writeChecked(file: string, tags: WriteTags): Promise<void> {
  let res: { warnings?: string[] };
  try {
    res = await getExifTool().write(file, tags, { useMWG: false, writeArgs: ['-overwrite_original'] });
  } catch (err) {
    throw new ColophonError('METADATA_WRITE_FAILED', `exiftool could not write rights metadata to ${file}: ${(err as Error).message}`, { cause: err });
  }
  // exiftool-vendored resolves on warnings (e.g. a value it silently dropped): that is a failed stamp.
  if (res.warnings != null && res.warnings.length > 0) {
    throw new ColophonError('METADATA_WRITE_FAILED', `exiftool warned while writing rights metadata to ${file}: ${res.warnings.join('; ')}`);
  }
}

/** Reads the file back with exiftool and throws naming every field that did not land. */
export async function verifyStamp(file: string, r: RightsStamp, legacy: boolean): Promise<void> {
  const got = (await getExifTool().readRaw(file, ['-G1', '-n', '-XMP:all', '-EXIF:Artist', '-EXIF:Copyright', '-IPTC:By-line', '-IPTC:CopyrightNotice'])) as Record<string, unknown>;
  const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
  const expect: Array<[string, unknown, unknown]> = [
    ['XMP-dc:Creator', first(got['XMP-dc:Creator']), r.creator],
    ['XMP-dc:Rights', got['XMP-dc:Rights'], r.rights],
    ['XMP-plus:DataMining', got['XMP-plus:DataMining'], r.dataMining],
    ['XMP-xmpRights:Marked', String(got['XMP-xmpRights:Marked']).toLowerCase(), 'true'],
    ['XMP-plus:OtherConstraints', got['XMP-plus:OtherConstraints'], r.otherConstraints],
    // exiftool flattens the Licensor struct's name field under this tag name.
    ['XMP-plus:LicensorName', first(got['XMP-plus:LicensorLicensorName'] ?? got['XMP-plus:LicensorName']), r.creator],
  ];
  if (r.webStatement != null) expect.push(['XMP-xmpRights:WebStatement', got['XMP-xmpRights:WebStatement'], r.webStatement]);
  if (legacy) {
    expect.push(['IFD0:Artist', got['IFD0:Artist'], r.creator]);
    expect.push(['IFD0:Copyright', got['IFD0:Copyright'], r.rights]);
    expect.push(['IPTC:By-line', first(got['IPTC:By-line']), truncateUtf8(r.creator, 32)]);
  }
  const bad = expect.filter(([, actual, wanted]) => String(actual) !== String(wanted)).map(([k]) => k);
  if (bad.length > 0) {
    throw new ColophonError('METADATA_WRITE_FAILED', `rights metadata did not read back correctly from ${file}: ${bad.join(', ')} missing or different`);
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
