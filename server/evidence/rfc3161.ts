import { randomBytes } from 'node:crypto';
import { ColophonError } from '../errors.ts';

// RFC 3161 time-stamp requests and replies, just the parts an anchor needs: build a request for a SHA-256
// digest, and read a reply's status and TSTInfo (imprint, nonce, time, serial, policy). Signature checking is
// left to `openssl ts -verify`, which knows the TSA's trust chain.

const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';

// ---- DER writing ----

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

function encodeOid(oid: string): Buffer {
  const parts = oid.split('.').map(Number);
  const out: number[] = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const stack: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) stack.unshift((v & 0x7f) | 0x80);
    out.push(...stack);
  }
  return tlv(0x06, Buffer.from(out));
}

/** A positive INTEGER from big-endian bytes (a leading zero keeps the sign bit clear). */
function positiveInteger(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && b[1]! < 0x80) b = b.subarray(1);
  if (b[0]! >= 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

export interface TimeStampRequest {
  der: Buffer;
  digestHex: string;
  nonceHex: string;
}

/** TimeStampReq v1 for a SHA-256 digest, with a random nonce and certReq=true (the reply carries the TSA cert). */
export function buildRequest(digestHex: string, nonce: Buffer = randomBytes(8)): TimeStampRequest {
  if (!/^[0-9a-f]{64}$/.test(digestHex)) throw new ColophonError('INVALID_PARAMS', `"${digestHex}" is not a SHA-256 digest.`);
  const algorithm = tlv(0x30, Buffer.concat([encodeOid(OID_SHA256), Buffer.from([0x05, 0x00])]));
  const imprint = tlv(0x30, Buffer.concat([algorithm, tlv(0x04, Buffer.from(digestHex, 'hex'))]));
  const nonceInt = positiveInteger(nonce);
  const der = tlv(0x30, Buffer.concat([tlv(0x02, Buffer.from([1])), imprint, nonceInt, Buffer.from([0x01, 0x01, 0xff])]));
  return { der, digestHex, nonceHex: integerHex(nonceInt.subarray(2)) };
}

// ---- DER reading ----

interface Node {
  tag: number;
  /** The value bytes. */
  body: Buffer;
  /** Offset just past this element in the parent buffer. */
  end: number;
}

function readNode(buf: Buffer, offset: number): Node {
  if (offset + 2 > buf.length) throw new Error('truncated DER');
  const tag = buf[offset]!;
  let len = buf[offset + 1]!;
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + i]!;
    pos += n;
  }
  if (pos + len > buf.length) throw new Error('truncated DER');
  return { tag, body: buf.subarray(pos, pos + len), end: pos + len };
}

function children(node: Node): Node[] {
  const out: Node[] = [];
  for (let off = 0; off < node.body.length; ) {
    const c = readNode(node.body, off);
    out.push(c);
    off = c.end;
  }
  return out;
}

function expect(node: Node | undefined, tag: number, what: string): Node {
  if (node == null || node.tag !== tag) throw new Error(`${what}: expected tag 0x${tag.toString(16)}, got ${node == null ? 'nothing' : `0x${node.tag.toString(16)}`}`);
  return node;
}

function decodeOid(body: Buffer): string {
  const parts = [Math.floor(body[0]! / 40), body[0]! % 40];
  let v = 0;
  for (const b of body.subarray(1)) {
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

function integerHex(body: Buffer): string {
  let b = body;
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  return b.toString('hex');
}

/** Content of an OCTET STRING that may be primitive or (BER) constructed from pieces. */
function octets(node: Node): Buffer {
  if (node.tag === 0x04) return node.body;
  if (node.tag === 0x24) return Buffer.concat(children(node).map(octets));
  throw new Error('expected an OCTET STRING');
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
  /** The TimeStampToken (CMS SignedData) bytes, what `openssl ts -verify -token_in` reads. */
  token?: Buffer;
}

/** Reads a TimeStampResp (.tsr). Throws CORRUPT_FILE with the reason when it is not one. */
export function parseReply(der: Buffer): TimeStampReply {
  try {
    const topNode = expect(readNode(der, 0), 0x30, 'TimeStampResp');
    const top = children(topNode);
    const statusInfo = children(expect(top[0], 0x30, 'PKIStatusInfo'));
    const status = Number.parseInt(integerHex(expect(statusInfo[0], 0x02, 'status').body), 16);
    const reply: TimeStampReply = { status };
    const text = statusInfo.find((n) => n.tag === 0x30);
    if (text != null) reply.statusText = children(text).map((n) => n.body.toString('utf8')).join('; ');
    const tokenNode = top[1];
    if (tokenNode == null) return reply;
    reply.token = topNode.body.subarray(top[0]!.end, tokenNode.end);
    const contentInfo = children(expect(tokenNode, 0x30, 'ContentInfo'));
    if (decodeOid(expect(contentInfo[0], 0x06, 'contentType').body) !== OID_SIGNED_DATA) throw new Error('token is not CMS SignedData');
    const signedData = children(expect(children(expect(contentInfo[1], 0xa0, 'content'))[0], 0x30, 'SignedData'));
    const encap = children(expect(signedData[2], 0x30, 'EncapsulatedContentInfo'));
    if (decodeOid(expect(encap[0], 0x06, 'eContentType').body) !== OID_TST_INFO) throw new Error('token does not hold a TSTInfo');
    const tstDer = octets(children(expect(encap[1], 0xa0, 'eContent'))[0]!);
    const tst = children(expect(readNode(tstDer, 0), 0x30, 'TSTInfo'));
    reply.policy = decodeOid(expect(tst[1], 0x06, 'policy').body);
    const imprint = children(expect(tst[2], 0x30, 'MessageImprint'));
    reply.digestAlgorithm = decodeOid(expect(children(expect(imprint[0], 0x30, 'AlgorithmIdentifier'))[0], 0x06, 'algorithm').body);
    reply.digestHex = expect(imprint[1], 0x04, 'hashedMessage').body.toString('hex');
    reply.serialHex = integerHex(expect(tst[3], 0x02, 'serialNumber').body);
    reply.genTime = generalizedTime(expect(tst[4], 0x18, 'genTime').body.toString('ascii'));
    const nonce = tst.slice(5).find((n) => n.tag === 0x02);
    if (nonce != null) reply.nonceHex = integerHex(nonce.body);
    return reply;
  } catch (err) {
    throw new ColophonError(
      'CORRUPT_FILE',
      `The file is not a readable RFC 3161 time-stamp reply (${(err as Error).message}). Pass the .tsr the authority sent back.`,
    );
  }
}

/** Reads the digest and nonce back out of a request we wrote (.tsq). */
export function parseRequest(der: Buffer): { digestHex: string; nonceHex?: string } {
  try {
    const top = children(expect(readNode(der, 0), 0x30, 'TimeStampReq'));
    const imprint = children(expect(top[1], 0x30, 'MessageImprint'));
    const digestHex = expect(imprint[1], 0x04, 'hashedMessage').body.toString('hex');
    const nonce = top.slice(2).find((n) => n.tag === 0x02);
    return nonce != null ? { digestHex, nonceHex: integerHex(nonce.body) } : { digestHex };
  } catch (err) {
    throw new ColophonError('CORRUPT_FILE', `The file is not a readable RFC 3161 time-stamp request (${(err as Error).message}).`);
  }
}

/** YYYYMMDDHHMMSS[.fff]Z → ISO 8601. */
function generalizedTime(s: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d+)?Z$/.exec(s);
  if (m == null) throw new Error(`unexpected genTime "${s}"`);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}Z`;
}

export const SHA256_OID = OID_SHA256;
