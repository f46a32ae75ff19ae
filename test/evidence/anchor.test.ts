import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { buildRequest, parseReply, parseRequest } from '../../server/evidence/rfc3161.ts';
import { processPaths } from '../../server/pipeline/process.ts';
import { FIXTURES, makeEnv } from '../helpers/pipeline-env.ts';
import { cli, hasCommand } from './helpers.ts';

const run = promisify(execFile);
const openssl = (args: string[], cwd: string) => run('openssl', args, { cwd, timeout: 30_000 });

/** Re-encodes a DER SEQUENCE and its first SEQUENCE children with BER indefinite lengths (0x80 … 00 00), as some TSAs send. */
function indefinite(der: Buffer): Buffer {
  const read = (b: Buffer, off: number) => {
    let len = b[off + 1]!;
    let pos = off + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + b[pos + i]!;
      pos += n;
    }
    return { tag: b[off]!, body: b.subarray(pos, pos + len), end: pos + len };
  };
  const wrap = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag, 0x80]), body, Buffer.from([0, 0])]);
  const top = read(der, 0);
  const parts: Buffer[] = [];
  for (let off = 0; off < top.body.length; ) {
    const c = read(top.body, off);
    parts.push(c.tag === 0x30 ? wrap(0x30, c.body) : top.body.subarray(off, c.end));
    off = c.end;
  }
  return wrap(0x30, Buffer.concat(parts));
}

/** A throw-away RFC 3161 authority: a self-made CA, a TSA certificate with the critical timeStamping EKU, and a config. */
async function makeTsa(dir: string, name = 'Test'): Promise<{ dir: string; config: string; ca: string }> {
  await fs.mkdir(dir, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', `/CN=Colophon ${name} CA`, '-days', '2',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  await openssl(['req', '-new', ...ec, '-keyout', 'tsa.key', '-out', 'tsa.csr', '-subj', `/CN=Colophon ${name} TSA`], dir);
  await fs.writeFile(path.join(dir, 'ext.cnf'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n');
  await openssl(['x509', '-req', '-in', 'tsa.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tsa.crt', '-days', '2', '-extfile', 'ext.cnf'], dir);
  await fs.writeFile(path.join(dir, 'tsaserial'), '01\n');
  const config = path.join(dir, 'tsa.cnf');
  await fs.writeFile(
    config,
    ['[ tsa ]', 'default_tsa = tsa_config1', '[ tsa_config1 ]', `dir = ${dir}`, 'serial = $dir/tsaserial', 'crypto_device = builtin',
      'signer_cert = $dir/tsa.crt', 'certs = $dir/tsa.crt', 'signer_key = $dir/tsa.key', 'signer_digest = sha256',
      'default_policy = 1.2.3.4.1', 'other_policies = 1.2.3.4.5', 'digests = sha256, sha384, sha512', 'accuracy = secs:1',
      'ordering = yes', 'tsa_name = yes', 'ess_cert_id_chain = no', 'ess_cert_id_alg = sha256', ''].join('\n'),
  );
  return { dir, config, ca: path.join(dir, 'ca.crt') };
}

async function tsaReply(tsa: { dir: string; config: string }, request: string, out: string): Promise<void> {
  await openssl(['ts', '-reply', '-config', tsa.config, '-queryfile', request, '-out', out], tsa.dir);
}

t.test('RFC 3161 round trip with a local authority: request, reply, verify, record', { skip: hasCommand('openssl') ? false : 'openssl not installed' }, async (t) => {
  const env = await makeEnv(t);
  await processPaths([path.join(FIXTURES, 'photos/DSCN0010.jpg')], { source: 'cli' }, env);
  await cli(env.home, ['optout', 'add', '--platform', 'Meta', '--method', 'form']);
  const head = (await env.ledger!.verify()).head;
  const tsa = await makeTsa(path.join(env.home, 'tsa'));

  // 1. the request: DER that openssl reads as a SHA-256 query for the chain head, with a nonce and certReq
  let r = await cli(env.home, ['ledger', 'anchor', '--json']);
  t.equal(r.code, 0, r.stderr);
  const req = JSON.parse(r.stdout);
  t.equal(req.head, head);
  t.equal(req.seq, 1);
  t.equal(path.dirname(req.file), path.join(env.home, 'anchors'));
  const text = (await openssl(['ts', '-query', '-in', req.file, '-text'], env.home)).stdout;
  t.match(text, /Hash Algorithm: sha256/);
  t.match(text, /Certificate required: yes/);
  t.match(text.replace(/\s+/g, ' '), new RegExp(`Nonce: 0x${req.nonceHex}`, 'i'));
  const imprint = [...text.matchAll(/^\s+[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]){15}[0-9a-f]{2})/gm)].map((m) => m[1]!.replace(/[ -]/g, '')).join('');
  t.equal(imprint, head, 'the imprint openssl reads is the chain head');

  // 2. the authority answers; 3. import with its CA: full signature check, then ledger.anchored
  const reply = path.join(env.home, 'reply.tsr');
  await tsaReply(tsa, req.file, reply);
  r = await cli(env.home, ['ledger', 'anchor', '--import', reply, '--ca', tsa.ca, '--json']);
  t.equal(r.code, 0, r.stderr);
  const imported = JSON.parse(r.stdout);
  t.match(imported, { anchoredSeq: 1, signatureVerified: true, ledgerSeq: 2 });
  const entries = await env.ledger!.readAll();
  const anchored = entries[2]!;
  t.equal(anchored.type, 'ledger.anchored');
  t.match(anchored.data, { anchoredSeq: 1, anchoredHash: head, digestAlgorithm: 'sha256', signatureVerified: true, nonce: req.nonceHex });
  t.match(anchored.data.genTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  t.same(Buffer.from(String(anchored.data.reply), 'base64'), await fs.readFile(reply), 'the whole reply is kept in the ledger');

  // anyone can check it later with openssl alone, from the copy kept in the anchors folder or from the ledger
  const kept = path.join(env.home, 'anchors', `anchor-1-${head.slice(0, 16)}.tsr`);
  const fromLedger = path.join(env.home, 'from-ledger.tsr');
  await fs.writeFile(fromLedger, Buffer.from(String(anchored.data.reply), 'base64'));
  for (const f of [kept, fromLedger]) {
    const v = await openssl(['ts', '-verify', '-digest', head, '-in', f, '-CAfile', tsa.ca], env.home);
    t.match(v.stdout, /Verification: OK/, `openssl ts -verify on ${path.basename(f)}`);
  }
  t.equal((await env.ledger!.verify()).ok, true, 'the chain verifies after anchoring');
  r = await cli(env.home, ['ledger', 'verify']);
  t.equal(r.code, 0, r.stdout + r.stderr);

  // the evidence report lists the timestamp and that it covers the asset
  const assetId = String(entries[0]!.data.assetId);
  r = await cli(env.home, ['evidence', assetId, '--out', path.join(env.home, 'e.html')]);
  const html = await fs.readFile(path.join(env.home, 'e.html'), 'utf8');
  t.ok(html.includes(String(anchored.data.genTime)), 'the report shows the authority\'s time');
  t.match(html, /Trusted timestamps covering it<\/th><td>\d{4}-/);

  // without --ca: imprint and nonce are still checked, and the entry says the signature was not
  const req2 = JSON.parse((await cli(env.home, ['ledger', 'anchor', '--json'])).stdout);
  const reply2 = path.join(env.home, 'reply2.tsr');
  await tsaReply(tsa, req2.file, reply2);
  r = await cli(env.home, ['ledger', 'anchor', '--import', reply2]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /signature was not checked/);
  t.equal((await env.ledger!.readAll()).at(-1)!.data.signatureVerified, false);

  // importing the same reply again records nothing new; a BER re-encoding (indefinite lengths) of it is read and is the same reply
  const countBefore = (await env.ledger!.readAll()).length;
  r = await cli(env.home, ['ledger', 'anchor', '--import', reply2, '--json']);
  t.equal(r.code, 0, r.stderr);
  t.match(JSON.parse(r.stdout), { alreadyRecorded: true });
  const ber = path.join(env.home, 'reply2-ber.tsr');
  await fs.writeFile(ber, indefinite(await fs.readFile(reply2)));
  t.not((await fs.readFile(ber)).equals(await fs.readFile(reply2)), 'the BER copy differs byte for byte');
  const parsedBer = parseReply(await fs.readFile(ber));
  const parsedDer = parseReply(await fs.readFile(reply2));
  t.same({ ...parsedBer, token: undefined }, { ...parsedDer, token: undefined }, 'BER indefinite lengths are read like DER');
  r = await cli(env.home, ['ledger', 'anchor', '--import', ber, '--json']);
  t.equal(r.code, 0, r.stderr);
  t.match(JSON.parse(r.stdout), { alreadyRecorded: true });
  t.equal((await env.ledger!.readAll()).length, countBefore, 'the same reply twice is recorded once');

  // back-dating the anchor in the ledger is caught
  const file = path.join(env.home, 'ledger.jsonl');
  await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace(String(anchored.data.genTime), '2020-01-01T00:00:00Z'));
  r = await cli(env.home, ['ledger', 'verify']);
  t.equal(r.code, 1);
  t.match(r.stdout, /BROKEN at entry seq 2/);
});

t.test('replies that do not belong are refused with a clear reason and nothing is recorded', { skip: hasCommand('openssl') ? false : 'openssl not installed' }, async (t) => {
  const env = await makeEnv(t);
  const empty = await cli(env.home, ['ledger', 'anchor']);
  t.equal(empty.code, 1);
  t.match(empty.stderr, /ledger is empty/);

  await cli(env.home, ['optout', 'add', '--platform', 'X', '--method', 'setting']);
  const tsa = await makeTsa(path.join(env.home, 'tsa'));
  const other = await makeTsa(path.join(env.home, 'other'), 'Other');
  const req1 = JSON.parse((await cli(env.home, ['ledger', 'anchor', '--json'])).stdout);
  await cli(env.home, ['optout', 'add', '--platform', 'Meta', '--method', 'form']);
  const req2 = JSON.parse((await cli(env.home, ['ledger', 'anchor', '--json'])).stdout);
  const reply2 = path.join(env.home, 'reply2.tsr');
  await tsaReply(tsa, req2.file, reply2);
  const count = async () => (await env.ledger!.readAll()).length;
  const before = await count();

  let r = await cli(env.home, ['ledger', 'anchor', '--import', reply2, '--request', req1.file]);
  t.equal(r.code, 1, 'a failed check exits 1');
  t.match(r.stderr, /do not belong together/);

  r = await cli(env.home, ['ledger', 'anchor', '--import', reply2, '--ca', other.ca]);
  t.equal(r.code, 1);
  t.match(r.stderr, /openssl ts -verify rejected the reply/, 'a reply is not trusted under another CA');

  const tampered = path.join(env.home, 'tampered.tsr');
  const der = await fs.readFile(reply2);
  der[der.length - 5] = der[der.length - 5]! ^ 0xff; // inside the signature value
  await fs.writeFile(tampered, der);
  r = await cli(env.home, ['ledger', 'anchor', '--import', tampered, '--ca', tsa.ca]);
  t.equal(r.code, 1, 'a damaged signature fails the openssl check');

  const garbage = path.join(env.home, 'garbage.tsr');
  await fs.writeFile(garbage, 'this is not DER');
  r = await cli(env.home, ['ledger', 'anchor', '--import', garbage]);
  t.equal(r.code, 1);
  t.match(r.stderr, /not a readable RFC 3161 time-stamp reply/);

  r = await cli(env.home, ['ledger', 'anchor', '--import', path.join(env.home, 'missing.tsr')]);
  t.equal(r.code, 1);
  t.match(r.stderr, /Cannot read the reply file/);

  // a reply for a digest that is no entry's hash: another ledger
  const foreign = path.join(env.home, 'foreign.tsq');
  await fs.writeFile(foreign, buildRequest('ab'.repeat(32)).der);
  const foreignReply = path.join(env.home, 'foreign.tsr');
  await tsaReply(tsa, foreign, foreignReply);
  r = await cli(env.home, ['ledger', 'anchor', '--import', foreignReply, '--request', foreign]);
  t.equal(r.code, 1);
  t.match(r.stderr, /No ledger entry has the hash/);

  t.equal(await count(), before, 'no ledger.anchored entry was written by any refused import');

  // a broken chain is not anchored
  const file = path.join(env.home, 'ledger.jsonl');
  await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace('"platform":"X"', '"platform":"Y"'));
  r = await cli(env.home, ['ledger', 'anchor']);
  t.equal(r.code, 1);
  t.match(r.stderr, /does not verify/);
});

t.test('request builder and reply reader agree with openssl', { skip: hasCommand('openssl') ? false : 'openssl not installed' }, async (t) => {
  const dir = t.testdir();
  const digest = 'f'.repeat(63) + '0';
  const req = buildRequest(digest, Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 1]));
  t.equal(req.nonceHex, '8000000000000001', 'a nonce with the high bit set stays positive');
  t.same(parseRequest(req.der), { digestHex: digest, nonceHex: '8000000000000001' });
  const q = path.join(dir, 'q.tsq');
  await fs.writeFile(q, req.der);
  const tsa = await makeTsa(path.join(dir, 'tsa'));
  const out = path.join(dir, 'r.tsr');
  await tsaReply(tsa, q, out);
  const reply = parseReply(await fs.readFile(out));
  t.match(reply, { status: 0, digestHex: digest, nonceHex: '8000000000000001', policy: '1.2.3.4.1', serialHex: /^[0-9a-f]+$/ });
  const text = (await openssl(['ts', '-reply', '-in', out, '-text'], dir)).stdout;
  t.match(text, new RegExp(`Serial number: 0x0*${reply.serialHex}`, 'i'));
  t.throws(() => buildRequest('not-a-digest'), /not a SHA-256 digest/);
});
