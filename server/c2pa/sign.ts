import { constants, createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { JsCallbackSignerConfig } from '@contentauth/c2pa-node';
import pkg from '../../package.json' with { type: 'json' };
import type { Profile } from '../../protocol/src/profile.ts';
import { ColophonError } from '../errors.ts';
import { resolvePaths } from '../paths.ts';
import { getExifTool } from '../pipeline/exiftool.ts';
import { C2PA_MIME } from '../pipeline/formats.ts';
import type { RightsStamp } from '../pipeline/stamp.ts';
import { tempNameFor, writeFileAtomic } from '../util/atomic.ts';
import { ensureIdentity, type SigningIdentity } from './keys.ts';
import { c2pa } from './library.ts';
import { trainingMiningEntries } from './training-mining.ts';

export const SIDECAR_SUFFIX = '.c2pa';

// HEIF and AVIF are rebuilt box by box when a manifest is embedded; with some real files (an item-location box
// the writer reads differently) the XMP item did not survive. The rights stamp matters more than where the
// credential sits, so for these containers it is checked after signing.
const REBUILT_CONTAINERS = new Set(['heif', 'avif']);
const DST = 'http://cv.iptc.org/newscodes/digitalsourcetype/';

type CredentialRole = 'master' | 'preview' | 'archive';

export interface SignTarget {
  /**
   * What is signed: a file (usually a temp file that is renamed to `dest` afterwards; embedding rewrites it), or
   * bytes in memory, which come back signed in `Signed.bytes` for the caller to write (one write instead of three).
   */
  file: string | { bytes: Buffer };
  /** Its final path: names it in messages, titles the manifest and places the `.c2pa` sidecar. */
  dest: string;
  /** Sniffed format (classify's names). */
  format: string;
  role: CredentialRole;
  rights: RightsStamp;
  /** For a preview: the final path of the signed master it was made from (its parent ingredient), read from there. */
  parent?: string;
  /**
   * For a file target: when the credential has to go beside it, hand the manifest store back in `Signed.store`
   * instead of writing `<dest>.c2pa`, for a caller that moves the file into place later and the sidecar with it.
   */
  holdSidecar?: boolean;
}

export interface SignContext {
  profile: Profile;
  /** Where the signing identity lives; by default the config dir (COLOPHON_HOME when set). */
  configDir?: string;
}

export interface Signed {
  /** True when the credential is inside the file; otherwise `sidecar` names the `.c2pa` beside it. */
  embedded: boolean;
  sidecar?: string;
  /**
   * For a target given as bytes, nothing is written: `bytes` are the finished bytes (signed inside, or unchanged
   * when the credential goes beside), and `store` is the manifest store for `sidecar` when it does (also for a
   * file target with `holdSidecar`).
   */
  bytes?: Buffer;
  store?: Buffer;
  warnings: string[];
}

/**
 * The single signing step: the last write to every output (after stamping, before hashing). Formats C2PA can
 * embed into carry the manifest inside; everything else (EXR, HDR, .blend, zip, models …) gets `<dest>.c2pa`,
 * a manifest store bound to the file's bytes by a hash.
 */
export async function signOutput(t: SignTarget, ctx: SignContext): Promise<Signed> {
  const lib = await c2pa();
  const configDir = ctx.configDir ?? resolvePaths().configDir;
  const id = await ensureIdentity(configDir, t.rights.creator);
  const cfg = ctx.profile.credentials;
  let signer: CallbackSigning;
  try {
    signer = callbackSigning(id, cfg.tsaUrl);
  } catch (err) {
    throw signingError(t.dest, err, `the signing identity in ${configDir} is not usable; run \`colophon keys init --force\` or import a certificate again`);
  }
  const settings = { builder: { thumbnail: { enabled: cfg.thumbnail } } };
  const mime = C2PA_MIME[t.format];
  const warnings: string[] = [];
  if (mime != null) {
    try {
      const builder = await makeBuilder(lib, t, mime, settings);
      if (typeof t.file !== 'string') {
        if (REBUILT_CONTAINERS.has(t.format)) throw new Error(`${t.format} is signed from a file, so the rights stamp can be checked after embedding`);
        const out: { buffer: Buffer | null } = { buffer: null };
        await signWith(builder, signer, { buffer: t.file.bytes, mimeType: mime }, out);
        if (out.buffer == null) throw new Error('the SDK returned no signed bytes');
        return { embedded: true, bytes: out.buffer, warnings };
      }
      const signedTmp = tempNameFor(t.file);
      try {
        await signWith(builder, signer, { path: t.file, mimeType: mime }, { path: signedTmp });
        if (REBUILT_CONTAINERS.has(t.format) && !(await rightsSurvived(t.file, signedTmp))) {
          throw new Error('embedding would have dropped the XMP rights stamp from this file');
        }
        await fs.rename(signedTmp, t.file);
      } finally {
        await fs.rm(signedTmp, { force: true });
      }
      return { embedded: true, warnings };
    } catch (err) {
      if (cfg.tsaUrl != null && /time|tsa|http/i.test(String(err))) throw signingError(t.dest, err, `check that the timestamp server ${cfg.tsaUrl} is reachable, or remove credentials.tsaUrl from the profile`);
      // A file the SDK cannot embed into still gets its credential, beside it.
      warnings.push(`${path.basename(t.dest)}: the Content Credential could not be embedded (${firstLine(err)}); it was written as ${path.basename(t.dest)}${SIDECAR_SUFFIX} instead`);
    }
  }
  const sidecar = `${t.dest}${SIDECAR_SUFFIX}`;
  let store: Buffer;
  try {
    const builder = await makeBuilder(lib, t, 'application/octet-stream', settings);
    builder.setNoEmbed(true);
    // With no-embed the SDK still writes a copy of the asset; the null device takes it.
    const source = typeof t.file === 'string' ? { path: t.file } : { buffer: t.file.bytes };
    store = await signWith(builder, signer, { ...source, mimeType: 'application/octet-stream' }, { path: os.devNull });
  } catch (err) {
    throw signingError(t.dest, err, cfg.tsaUrl != null ? `check that the timestamp server ${cfg.tsaUrl} is reachable` : 'process the file again; if it keeps failing, report it');
  }
  if (typeof t.file !== 'string') return { embedded: false, sidecar, warnings, bytes: t.file.bytes, store };
  if (t.holdSidecar === true) return { embedded: false, sidecar, warnings, store };
  await writeFileAtomic(sidecar, store);
  return { embedded: false, sidecar, warnings };
}

type Lib = Awaited<ReturnType<typeof c2pa>>;
type Builder = InstanceType<Lib['Builder']>;
interface CallbackSigning {
  sign: (data: Buffer) => Promise<Buffer>;
  config: JsCallbackSignerConfig;
}

/**
 * The key signs the claim through a callback (node:crypto, well under a millisecond) and the SDK does the rest —
 * hashing the asset, building and embedding the manifest — on its own threads. The SDK's local signer would do the
 * same work synchronously on the event loop (about 40 ms for a 10 MB render), and its built-in HTTP client for a
 * timestamp server is not compiled into this binary, while the async path fetches the timestamp itself. The config
 * is passed per call rather than as a CallbackSigner object, which would hold the event loop open until collected.
 */
function callbackSigning(id: SigningIdentity, tsaUrl: string | undefined): CallbackSigning {
  let key = parsedKeys.get(id);
  if (key == null) {
    const certs = (id.chainPem.toString().match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((p) => Buffer.from(p));
    if (certs.length === 0) throw new Error('the certificate chain holds no certificate');
    key = { privateKey: createPrivateKey(id.keyPem), certs };
    parsedKeys.set(id, key);
  }
  const { privateKey, certs } = key;
  const hash = id.alg === 'es384' ? 'sha384' : id.alg === 'es512' ? 'sha512' : id.alg === 'ed25519' ? null : 'sha256';
  const pss = id.alg === 'ps256' ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : {};
  return {
    sign: async (data: Buffer) => cryptoSign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363', ...pss }),
    config: { alg: id.alg, certs, reserveSize: 20_000, ...(tsaUrl != null ? { tsaUrl } : {}), directCoseHandling: false },
  };
}

/** Parsed once per identity read (keys.ts hands back the same object until its files change). */
const parsedKeys = new WeakMap<SigningIdentity, { privateKey: KeyObject; certs: Buffer[] }>();

type Source = ({ path: string } | { buffer: Buffer }) & { mimeType: string };
type Destination = { path: string } | { buffer: Buffer | null };

/** Signs; with a buffer destination the signed asset is left in `output.buffer`. Returns the manifest store. */
function signWith(builder: Builder, signer: CallbackSigning, input: Source, output: Destination): Promise<Buffer> {
  return builder.signConfigAsync(signer.sign, signer.config, input, output);
}

async function makeBuilder(lib: Lib, t: SignTarget, mime: string, settings: object) {
  const r = t.rights;
  const title = path.basename(t.dest);
  const actions = t.parent != null
    ? [
        { action: 'c2pa.opened', parameters: { ingredientIds: ['parent'] } },
        { action: 'c2pa.edited', description: 'Public preview: resized, watermarked, source metadata removed, rights stamped.' },
      ]
    : [{ action: 'c2pa.created', digitalSourceType: DST + r.digitalSourceType, ...(t.role === 'archive' ? { description: 'Delivery archive of the creator\'s files.' } : {}) }];
  const definition = {
    claim_generator_info: [{ name: 'Colophon', version: pkg.version }],
    title,
    format: mime,
    assertions: [
      { label: 'c2pa.actions', data: { actions } },
      { label: 'cawg.training-mining', data: { entries: trainingMiningEntries(r.dataMining, { otherConstraints: r.otherConstraints, ...(r.webStatement != null ? { webStatement: r.webStatement } : {}) }) } },
      { label: 'cawg.metadata', data: rightsMetadata(r) },
    ],
  };
  const builder = lib.Builder.withJson(definition as never, settings);
  if (t.parent != null) await addParent(builder, t.parent);
  return builder;
}

/** Creator and rights as a CAWG metadata assertion (XMP terms in JSON-LD), the same values as the file's XMP. */
function rightsMetadata(r: RightsStamp): Record<string, unknown> {
  return {
    '@context': {
      dc: 'http://purl.org/dc/elements/1.1/',
      xmpRights: 'http://ns.adobe.com/xap/1.0/rights/',
      Iptc4xmpCore: 'http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/',
    },
    'dc:creator': [r.creator],
    'dc:rights': r.rights,
    'xmpRights:Marked': true,
    'xmpRights:UsageTerms': r.usageTerms,
    ...(r.webStatement != null ? { 'xmpRights:WebStatement': r.webStatement } : {}),
    ...(r.email != null || r.url != null
      ? { 'Iptc4xmpCore:CreatorContactInfo': { ...(r.email != null ? { 'Iptc4xmpCore:CiEmailWork': r.email } : {}), ...(r.url != null ? { 'Iptc4xmpCore:CiUrlWork': r.url } : {}) } }
      : {}),
  };
}

/**
 * The master as `parentOf` ingredient. An embedded master brings its own manifest along; a master whose
 * credential is a sidecar is added as the file itself (the SDK would check a bare manifest store against no
 * asset and record a false hash mismatch), and its own credential stays in its `.c2pa`.
 */
async function addParent(builder: InstanceType<Lib['Builder']>, parent: string): Promise<void> {
  const ext = path.extname(parent).slice(1).toLowerCase();
  const mime = C2PA_MIME[ext === 'jpg' ? 'jpeg' : ext === 'tif' ? 'tiff' : ext] ?? 'application/octet-stream';
  await builder.addIngredient(JSON.stringify({ title: path.basename(parent), relationship: 'parentOf', label: 'parent', format: mime }), { path: parent, mimeType: mime });
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!.slice(0, 300);
}

function signingError(dest: string, err: unknown, todo: string): ColophonError {
  return new ColophonError('SIGNING_FAILED', `${dest}: the Content Credential could not be signed (${firstLine(err)}); ${todo}.`, { cause: err });
}

/** True when the signed copy still carries the creator and DataMining fields the unsigned file had. */
async function rightsSurvived(unsigned: string, signed: string): Promise<boolean> {
  const args = ['-XMP-dc:Creator', '-XMP-plus:DataMining'];
  const read = async (f: string) => (await getExifTool().readRaw(f, args)) as Record<string, unknown>;
  const [before, after] = await Promise.all([read(unsigned), read(signed)]);
  return after.Creator != null && JSON.stringify(after.Creator) === JSON.stringify(before.Creator) && after.DataMining === before.DataMining;
}
