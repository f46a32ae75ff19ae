import { randomBytes } from 'node:crypto';
import { SignedData, id_signedData } from '@peculiar/asn1-cms';
import { AsnConvert, AsnParser, OctetString } from '@peculiar/asn1-schema';
import { MessageImprint, TimeStampReq, TimeStampResp, TSTInfo, id_ct_tstInfo } from '@peculiar/asn1-tsp';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { ColophonError } from '../errors.ts';

// RFC 3161 time-stamp requests and replies, through the @peculiar ASN.1 schemas (BER, indefinite lengths
// included, as real authorities send): build a request for a SHA-256 digest, and read a reply's status and
// TSTInfo. Signature checking is left to `openssl ts -verify`, which knows the TSA's trust chain.

const OID_SHA256 = '2.16.840.1.101.3.4.2.1';

export interface TimeStampRequest {
  der: Buffer;
  digestHex: string;
  nonceHex: string;
}

/** Big-endian INTEGER bytes as hex, without sign-padding zeros. */
function integerHex(bytes: ArrayBuffer | Uint8Array): string {
  let b = Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  return b.toString('hex');
}

/** A positive INTEGER's content bytes (a leading zero keeps the sign bit clear). */
function positive(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && b[1]! < 0x80) b = b.subarray(1);
  return b[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b;
}

const toArrayBuffer = (b: Buffer): ArrayBuffer => new Uint8Array(b).buffer;

/** TimeStampReq v1 for a SHA-256 digest, with a random nonce and certReq=true (the reply carries the TSA cert). */
export function buildRequest(digestHex: string, nonce: Buffer = randomBytes(8)): TimeStampRequest {
  if (!/^[0-9a-f]{64}$/.test(digestHex)) throw new ColophonError('INVALID_PARAMS', `"${digestHex}" is not a SHA-256 digest.`);
  const nonceBytes = positive(nonce);
  const req = new TimeStampReq({
    version: 1,
    messageImprint: new MessageImprint({
      hashAlgorithm: new AlgorithmIdentifier({ algorithm: OID_SHA256, parameters: null }),
      hashedMessage: new OctetString(Buffer.from(digestHex, 'hex')),
    }),
    nonce: toArrayBuffer(nonceBytes),
    certReq: true,
  });
  return { der: Buffer.from(AsnConvert.serialize(req)), digestHex, nonceHex: integerHex(nonceBytes) };
}

export interface TimeStampReply {
  /** 0 granted, 1 granted with modifications, 2+ refused. */
  status: number;
  statusText?: string;
  digestAlgorithm?: string;
  digestHex?: string;
  nonceHex?: string;
  genTime?: string;
  serialHex?: string;
  policy?: string;
  /** The TimeStampToken (CMS SignedData), DER, what `openssl ts -verify -token_in` reads. */
  token?: Buffer;
}

/** Reads a TimeStampResp (.tsr). Throws CORRUPT_FILE with the reason when it is not one. */
export function parseReply(der: Buffer): TimeStampReply {
  try {
    const resp = AsnParser.parse(der, TimeStampResp);
    const reply: TimeStampReply = { status: Number(resp.status.status) };
    const text = resp.status.statusString;
    if (text != null && text.length > 0) reply.statusText = [...text].join('; ');
    const token = resp.timeStampToken;
    if (token == null) return reply;
    reply.token = Buffer.from(AsnConvert.serialize(token));
    if (token.contentType !== id_signedData) throw new Error('token is not CMS SignedData');
    const signed = AsnConvert.parse(token.content, SignedData);
    if (signed.encapContentInfo.eContentType !== id_ct_tstInfo) throw new Error('token does not hold a TSTInfo');
    const content = signed.encapContentInfo.eContent;
    const tstDer = content?.single?.buffer ?? (content?.any != null ? AsnParser.parse(content.any, OctetString).buffer : undefined);
    if (tstDer == null) throw new Error('token has no TSTInfo content');
    const tst = AsnParser.parse(tstDer, TSTInfo);
    reply.policy = tst.policy;
    reply.digestAlgorithm = tst.messageImprint.hashAlgorithm.algorithm;
    reply.digestHex = Buffer.from(tst.messageImprint.hashedMessage.buffer).toString('hex');
    reply.serialHex = integerHex(tst.serialNumber);
    reply.genTime = tst.genTime.toISOString().replace(/\.000Z$/, 'Z');
    if (tst.nonce != null) reply.nonceHex = integerHex(tst.nonce);
    return reply;
  } catch (err) {
    throw new ColophonError(
      'CORRUPT_FILE',
      `The file is not a readable RFC 3161 time-stamp reply (${(err as Error).message}). Pass the .tsr the authority sent back.`,
    );
  }
}

/** Reads the digest and nonce back out of a request (.tsq). */
export function parseRequest(der: Buffer): { digestHex: string; nonceHex?: string } {
  try {
    const req = AsnParser.parse(der, TimeStampReq);
    const digestHex = Buffer.from(req.messageImprint.hashedMessage.buffer).toString('hex');
    return req.nonce != null ? { digestHex, nonceHex: integerHex(req.nonce) } : { digestHex };
  } catch (err) {
    throw new ColophonError('CORRUPT_FILE', `The file is not a readable RFC 3161 time-stamp request (${(err as Error).message}).`);
  }
}


export const SHA256_OID = OID_SHA256;
