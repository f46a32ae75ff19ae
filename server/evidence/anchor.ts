import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LedgerEntry } from '../../protocol/src/ledger.ts';
import { ColophonError } from '../errors.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { appendRecord } from '../ledger/records.ts';
import type { LedgerAnchored } from '../../protocol/src/records.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { sha256File, sha256Hex } from '../util/hash.ts';
import { checkFailed } from './check.ts';
import { buildRequest, parseReply, parseRequest, SHA256_OID } from './rfc3161.ts';

const run = promisify(execFile);

export function anchorsDir(dataDir: string): string {
  return path.join(dataDir, 'anchors');
}

export interface AnchorRequestResult {
  file: string;
  seq: number;
  head: string;
  nonceHex: string;
}

/**
 * Writes an RFC 3161 request (.tsq, DER) whose message imprint is the current chain head. The ledger must
 * verify first: anchoring a broken chain would only prove the break existed.
 */
export async function writeAnchorRequest(ledger: Ledger, dataDir: string, out?: string): Promise<AnchorRequestResult> {
  const v = await ledger.verify();
  if (!v.ok) {
    throw new ColophonError('LEDGER_ERROR', `The ledger does not verify (${v.problem ?? 'broken chain'}); fix that before anchoring it.`);
  }
  if (v.entries === 0) throw new ColophonError('LEDGER_ERROR', 'The ledger is empty: there is nothing to anchor yet.');
  const req = buildRequest(v.head);
  const seq = v.entries - 1;
  const file = out ?? path.join(anchorsDir(dataDir), `anchor-${seq}-${v.head.slice(0, 16)}.tsq`);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, req.der);
  return { file, seq, head: v.head, nonceHex: req.nonceHex };
}

export interface ImportOptions {
  reply: string;
  /** The request file; by default the one in the anchors folder whose digest matches the reply. */
  request?: string;
  /** PEM file with the TSA's CA certificate(s): enables the full `openssl ts -verify` signature check. */
  ca?: string;
}

export interface ImportResult {
  entry: LedgerEntry;
  anchoredSeq: number;
  genTime: string;
  signatureVerified: boolean;
  /** True when this reply was already in the ledger: nothing new was appended. */
  alreadyRecorded?: boolean;
}

/**
 * Checks a reply against its request (granted, same SHA-256 imprint, same nonce, imprint is an entry's
 * hash), optionally verifies the signature chain with openssl, then records `ledger.anchored` with the token.
 */
export async function importAnchorReply(ledger: Ledger, dataDir: string, opts: ImportOptions): Promise<ImportResult> {
  const replyDer = await readInput(opts.reply, 'reply');
  const reply = parseReply(replyDer);
  if (reply.status > 1) {
    throw checkFailed(`The authority refused the request (status ${reply.status}${reply.statusText != null ? `: ${reply.statusText}` : ''}).`);
  }
  if (reply.token == null || reply.digestHex == null || reply.genTime == null) {
    throw new ColophonError('CORRUPT_FILE', 'The reply says granted but carries no time-stamp token.');
  }
  if (reply.digestAlgorithm !== SHA256_OID) {
    throw checkFailed(`The reply stamps a ${reply.digestAlgorithm} digest; Colophon requests SHA-256.`);
  }
  const requestFile = opts.request ?? (await findRequest(dataDir, reply.digestHex));
  const requestDer = await readInput(requestFile, 'request');
  const request = parseRequest(requestDer);
  if (request.digestHex !== reply.digestHex) {
    throw checkFailed(`The reply stamps ${reply.digestHex.slice(0, 16)}… but the request asked for ${request.digestHex.slice(0, 16)}…: they do not belong together.`);
  }
  if (request.nonceHex != null && request.nonceHex !== reply.nonceHex) {
    throw checkFailed('The reply\'s nonce differs from the request\'s: it answers a different request.');
  }
  const entries = await ledger.readAll();
  const anchored = entries.find((e) => e.hash === reply.digestHex);
  if (anchored == null) {
    throw checkFailed(`No ledger entry has the hash ${reply.digestHex.slice(0, 16)}…: this reply is for another ledger.`);
  }
  let signatureVerified = false;
  let caSha256: string | undefined;
  if (opts.ca != null) {
    await opensslVerify(opts.reply, requestFile, opts.ca);
    signatureVerified = true;
    caSha256 = (await sha256File(opts.ca)).sha256;
  }
  // The same reply imported again (same bytes, or the same token from this authority re-encoded) is recorded once.
  const prior = entries.find((e) => e.type === 'ledger.anchored' && (e.data.replySha256 === sha256Hex(replyDer) || (e.data.anchoredHash === anchored.hash && e.data.serial === reply.serialHex && e.data.genTime === reply.genTime)));
  if (prior != null) {
    return { entry: prior, anchoredSeq: anchored.seq, genTime: reply.genTime, signatureVerified: signatureVerified || prior.data.signatureVerified === true, alreadyRecorded: true };
  }
  const base = `anchor-${anchored.seq}-${anchored.hash.slice(0, 16)}`;
  const keptReply = path.join(anchorsDir(dataDir), `${base}.tsr`);
  await fs.mkdir(path.dirname(keptReply), { recursive: true });
  await writeFileAtomic(keptReply, replyDer);
  const data: LedgerAnchored = {
    anchoredSeq: anchored.seq,
    anchoredHash: anchored.hash,
    digestAlgorithm: 'sha256',
    genTime: reply.genTime,
    serial: reply.serialHex,
    policy: reply.policy,
    nonce: reply.nonceHex,
    signatureVerified,
    replySha256: sha256Hex(replyDer),
    reply: replyDer.toString('base64'),
    request: requestDer.toString('base64'),
    verifyWith: `openssl ts -verify -digest ${anchored.hash} -in ${base}.tsr -CAfile <tsa-ca.pem>`,
  };
  if (caSha256 != null) data.caSha256 = caSha256;
  const entry = await appendRecord(ledger, 'ledger.anchored', data);
  return { entry, anchoredSeq: anchored.seq, genTime: reply.genTime, signatureVerified };
}

async function readInput(file: string, what: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    throw new ColophonError('FILE_NOT_FOUND', `Cannot read the ${what} file ${file}: ${(err as Error).message}.`, { cause: err });
  }
}

async function findRequest(dataDir: string, digestHex: string): Promise<string> {
  const dir = anchorsDir(dataDir);
  let names: string[] = [];
  try {
    names = (await fs.readdir(dir)).filter((n) => n.endsWith('.tsq'));
  } catch {
    // no anchors folder yet: fall through to the error below
  }
  for (const n of names) {
    const f = path.join(dir, n);
    try {
      if (parseRequest(await fs.readFile(f)).digestHex === digestHex) return f;
    } catch {
      // a stray file that is not a request: skip it
    }
  }
  throw new ColophonError(
    'FILE_NOT_FOUND',
    `No request for digest ${digestHex.slice(0, 16)}… in ${dir}. Pass the .tsq you sent with --request FILE.`,
  );
}

async function opensslVerify(reply: string, request: string, ca: string): Promise<void> {
  try {
    await run('openssl', ['ts', '-verify', '-in', reply, '-queryfile', request, '-CAfile', ca], { timeout: 30_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string; stdout?: string };
    if (e.code === 'ENOENT') {
      throw new ColophonError('NOT_IMPLEMENTED', 'openssl is not installed, so the signature cannot be checked with --ca. Install openssl or import without --ca.');
    }
    const detail = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n').slice(-3).join(' ');
    throw checkFailed(`openssl ts -verify rejected the reply: ${detail || e.message}. Check --ca is the authority's CA certificate.`);
  }
}
