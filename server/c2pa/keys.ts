import { createPrivateKey, createPublicKey, randomBytes, webcrypto, X509Certificate, type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ColophonError } from '../errors.ts';
import { writeFileAtomic } from '../util/atomic.ts';

type X509 = typeof import('@peculiar/x509');
let x509Loaded: Promise<X509> | null = null;

/**
 * @peculiar/x509, loaded only to make a certificate (about 150 ms of modules that signing never needs). It resolves
 * its services through tsyringe, which needs the Reflect metadata API loaded first.
 */
function loadX509(): Promise<X509> {
  x509Loaded ??= (async () => {
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto as unknown as ReturnType<typeof x509.cryptoProvider.get>);
    return x509;
  })();
  return x509Loaded;
}

/** The signing algorithms C2PA allows that a PEM key can name; the identity records which one its key uses. */
type SigningAlg = 'es256' | 'es384' | 'es512' | 'ps256' | 'ed25519';

export interface IdentityInfo {
  /** `local`: made on this machine by `keys init` (its CA is on no trust list); `imported`: from `keys import`. */
  kind: 'local' | 'imported';
  alg: SigningAlg;
  createdAt: string;
  subject: string;
  issuer: string;
  notAfter: string;
  /** SHA-256 fingerprint of the signing (leaf) certificate, colon-free hex. */
  fingerprint: string;
}

export interface SigningIdentity extends IdentityInfo {
  /** PEM chain, signing certificate first. */
  chainPem: Buffer;
  /** PKCS#8 PEM private key of the signing certificate. */
  keyPem: Buffer;
}

export interface KeyFiles {
  dir: string;
  chain: string;
  key: string;
  caCert: string;
  caKey: string;
  info: string;
}

export function keyFiles(configDir: string): KeyFiles {
  const dir = path.join(configDir, 'credentials');
  return {
    dir,
    chain: path.join(dir, 'signer-chain.pem'),
    key: path.join(dir, 'signer-key.pem'),
    caCert: path.join(dir, 'local-ca.pem'),
    caKey: path.join(dir, 'local-ca-key.pem'),
    info: path.join(dir, 'identity.json'),
  };
}

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

function hostLabel(): string {
  return os.hostname().replace(/[^A-Za-z0-9 ._-]/g, '').slice(0, 40) || 'this computer';
}

/** RFC 4514 value escaping for the few characters a person's name may carry. */
function dnValue(s: string): string {
  return s.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`).replace(/^[ #]|\s$/g, (c) => `\\${c}`);
}

function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f; // positive INTEGER
  return b.toString('hex');
}

async function exportPkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return (await loadX509()).PemConverter.encode(der, 'PRIVATE KEY');
}

/**
 * A new CA made for this machine and an ES256 signing certificate under it. The CA signs only this leaf;
 * the leaf has the key usage and extended key usage C2PA validators expect of a claim signer.
 */
export async function makeLocalIdentity(creatorName: string, now = new Date()): Promise<{ chainPem: string; keyPem: string; caPem: string; caKeyPem: string }> {
  const x509 = await loadX509();
  const caKeys = await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
  const leafKeys = await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
  const org = dnValue(`${creatorName} (Colophon local signing)`);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=Colophon local CA on ${dnValue(hostLabel())}, O=${org}`,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 20 * 365 * DAY),
    keys: caKeys,
    signingAlgorithm: EC_P256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${dnValue(creatorName)}, O=${org}`,
    issuer: ca.subject,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 5 * 365 * DAY),
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: EC_P256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.emailProtection], false),
      await x509.SubjectKeyIdentifierExtension.create(leafKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca, false),
    ],
  });
  return {
    chainPem: `${leaf.toString('pem')}\n${ca.toString('pem')}\n`,
    keyPem: await exportPkcs8Pem(leafKeys.privateKey),
    caPem: `${ca.toString('pem')}\n`,
    caKeyPem: await exportPkcs8Pem(caKeys.privateKey),
  };
}

function algFor(key: KeyObject, label: string): SigningAlg {
  const d = key.asymmetricKeyDetails;
  switch (key.asymmetricKeyType) {
    case 'ec':
      if (d?.namedCurve === 'prime256v1') return 'es256';
      if (d?.namedCurve === 'secp384r1') return 'es384';
      if (d?.namedCurve === 'secp521r1') return 'es512';
      break;
    case 'rsa-pss':
    case 'rsa':
      return 'ps256';
    case 'ed25519':
      return 'ed25519';
  }
  throw new ColophonError('KEYS_INVALID', `${label} holds a ${key.asymmetricKeyType ?? 'unknown'} ${d?.namedCurve ?? ''} key; Content Credentials need an EC P-256/P-384/P-521, RSA or Ed25519 key.`);
}

function splitPemCerts(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function describe(chainPem: string, kind: IdentityInfo['kind'], alg: SigningAlg, createdAt: string): IdentityInfo {
  const leaf = new X509Certificate(splitPemCerts(chainPem)[0]!);
  return {
    kind, alg, createdAt,
    subject: leaf.subject.replace(/\n/g, ', '),
    issuer: leaf.issuer.replace(/\n/g, ', '),
    notAfter: new Date(leaf.validTo).toISOString(),
    fingerprint: leaf.fingerprint256.replace(/:/g, '').toLowerCase(),
  };
}

/** The file is 0600 from its first byte (writeFileAtomic creates its temp name with the mode given). */
function writeSecret(file: string, data: string): Promise<void> {
  return writeFileAtomic(file, data, 0o600);
}

async function store(files: KeyFiles, chainPem: string, keyPem: string, info: IdentityInfo, ca?: { pem: string; keyPem: string }): Promise<void> {
  await fs.mkdir(files.dir, { recursive: true, mode: 0o700 });
  await writeSecret(files.key, keyPem);
  if (ca != null) {
    await writeSecret(files.caKey, ca.keyPem);
    await writeFileAtomic(files.caCert, ca.pem);
  } else {
    await fs.rm(files.caKey, { force: true });
    await fs.rm(files.caCert, { force: true });
  }
  await writeFileAtomic(files.chain, chainPem);
  // identity.json last: its presence marks a complete identity.
  await writeFileAtomic(files.info, JSON.stringify(info, null, 2) + '\n');
}

/** `keys init`: makes the local identity. Refuses to replace an existing one unless `force`. */
export async function initIdentity(configDir: string, creatorName: string, opts: { force?: boolean } = {}): Promise<IdentityInfo> {
  const files = keyFiles(configDir);
  if (!opts.force && (await readInfo(files)) != null) {
    throw new ColophonError('KEYS_INVALID', `a signing identity already exists in ${files.dir}; pass --force to replace it (files signed with the old one stay valid).`);
  }
  const made = await makeLocalIdentity(creatorName);
  const info = describe(made.chainPem, 'local', 'es256', new Date().toISOString());
  await store(files, made.chainPem, made.keyPem, info, { pem: made.caPem, keyPem: made.caKeyPem });
  return info;
}

/**
 * `keys import`: a certificate chain (PEM, signing certificate first) and its PKCS#8 or traditional PEM key,
 * e.g. from a CA on the C2PA trust list. The key must belong to the first certificate.
 */
export async function importIdentity(configDir: string, certFile: string, keyFile: string): Promise<IdentityInfo> {
  const chainText = await fs.readFile(certFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new ColophonError('KEYS_INVALID', `cannot read the certificate file ${certFile} (${err.code ?? err.message}); pass a PEM file.`);
  });
  const keyText = await fs.readFile(keyFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new ColophonError('KEYS_INVALID', `cannot read the key file ${keyFile} (${err.code ?? err.message}); pass a PEM file.`);
  });
  const certs = splitPemCerts(chainText);
  if (certs.length === 0) throw new ColophonError('KEYS_INVALID', `${certFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----); export the chain as PEM.`);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certs[0]!);
    for (const c of certs.slice(1)) new X509Certificate(c);
  } catch (err) {
    throw new ColophonError('KEYS_INVALID', `${certFile} holds a certificate that cannot be read (${(err as Error).message}).`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyText);
  } catch (err) {
    throw new ColophonError('KEYS_INVALID', `${keyFile} is not a readable unencrypted PEM private key (${(err as Error).message}); export it without a passphrase.`);
  }
  const pub = createPublicKey(key).export({ type: 'spki', format: 'der' });
  if (!Buffer.from(leaf.publicKey.export({ type: 'spki', format: 'der' })).equals(Buffer.from(pub))) {
    throw new ColophonError('KEYS_INVALID', `the key in ${keyFile} does not belong to the first certificate in ${certFile}; put the signing certificate first and pass its own key.`);
  }
  if (new Date(leaf.validTo).getTime() < Date.now()) {
    throw new ColophonError('KEYS_INVALID', `the certificate in ${certFile} expired on ${new Date(leaf.validTo).toISOString().slice(0, 10)}; get a current one.`);
  }
  const alg = algFor(key, keyFile);
  const chainPem = certs.join('\n') + '\n';
  const keyPem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  const info = describe(chainPem, 'imported', alg, new Date().toISOString());
  await store(keyFiles(configDir), chainPem, keyPem, info);
  return info;
}

async function readInfo(files: KeyFiles): Promise<IdentityInfo | null> {
  try {
    return JSON.parse(await fs.readFile(files.info, 'utf8')) as IdentityInfo;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ColophonError('KEYS_INVALID', `${files.info} cannot be read (${(err as Error).message}); run \`colophon keys init --force\` to make a new signing identity.`);
  }
}

/** `keys show`: the identity, or null when none was made yet. */
export async function showIdentity(configDir: string): Promise<IdentityInfo | null> {
  return readInfo(keyFiles(configDir));
}

/** The identity to sign with; a local one is made on first use (serve, process and every other signing path). */
export async function ensureIdentity(configDir: string, creatorName: string): Promise<SigningIdentity> {
  const files = keyFiles(configDir);
  const stamp = await filesStamp(files);
  const known = loadedIdentities.get(files.dir);
  if (stamp != null && known?.stamp === stamp) return known.identity;
  let info = await readInfo(files);
  if (info == null) {
    try {
      info = await initIdentity(configDir, creatorName);
    } catch (err) {
      // Two processes starting at once: the other one made it first.
      info = await readInfo(files);
      if (info == null) throw err;
    }
  }
  const [chainPem, keyPem] = await Promise.all([fs.readFile(files.chain), fs.readFile(files.key)]).catch((err: Error) => {
    throw new ColophonError('KEYS_INVALID', `the signing identity in ${files.dir} is incomplete (${err.message}); run \`colophon keys init --force\`.`);
  });
  const identity = { ...info, chainPem, keyPem };
  if (stamp != null) loadedIdentities.set(files.dir, { stamp, identity });
  return identity;
}

/**
 * The identity last read from each credentials folder, with what its files looked like then: every output is
 * signed, and three stats cost less than three reads. `keys init --force` or an import replaces the files (new
 * inode), so the next signature reads them again.
 */
const loadedIdentities = new Map<string, { stamp: string; identity: SigningIdentity }>();

async function filesStamp(files: KeyFiles): Promise<string | null> {
  const stats = await Promise.all([files.info, files.chain, files.key].map((f) => fs.stat(f).catch(() => null)));
  if (stats.some((st) => st == null)) return null;
  return stats.map((st) => `${st!.ino}:${st!.size}:${st!.mtimeMs}`).join('|');
}
