// Issue 12 item 13: `ledger verify --anchors` checks the recorded RFC 3161 anchors, so a ledger cut short before
// (or just after) an anchor is caught even though its shorter chain still verifies.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { Ledger } from '../../server/ledger/ledger.ts';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(repo, 'bin', 'colophon.js');
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

/** A throw-away time-stamp authority made with openssl (self-made CA and a TSA certificate). */
async function makeTsa(dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const o = (args: string[]) => run('openssl', args, { cwd: dir, timeout: 30_000 });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await o(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=Anchor Test CA', '-days', '2',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await o(['req', '-new', ...ec, '-keyout', 'tsa.key', '-out', 'tsa.csr', '-subj', '/CN=Anchor Test TSA']);
  await fs.writeFile(path.join(dir, 'ext.cnf'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n');
  await o(['x509', '-req', '-in', 'tsa.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tsa.crt', '-days', '2', '-extfile', 'ext.cnf']);
  await fs.writeFile(path.join(dir, 'serial'), '01\n');
  const config = path.join(dir, 'tsa.cnf');
  await fs.writeFile(config, ['[ tsa ]', 'default_tsa = t', '[ t ]', `dir = ${dir}`, 'serial = $dir/serial', 'crypto_device = builtin',
    'signer_cert = $dir/tsa.crt', 'certs = $dir/tsa.crt', 'signer_key = $dir/tsa.key', 'signer_digest = sha256',
    'default_policy = 1.2.3.4.1', 'digests = sha256', 'ess_cert_id_alg = sha256', ''].join('\n'));
  return config;
}

t.test('verify --anchors: OK when intact; a ledger cut before or after an anchor fails it', { skip: hasOpenssl ? false : 'openssl is not installed' }, async (t) => {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-anchors-'));
  t.teardown(() => fs.rm(home, { recursive: true, force: true }));
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [bin, 'ledger', ...args], { env: { ...process.env, COLOPHON_HOME: home }, encoding: 'utf8' });
    return { status: r.status, out: r.stdout, err: r.stderr };
  };
  const file = path.join(home, 'ledger.jsonl');
  const ledger = new Ledger(file);
  for (let i = 0; i < 3; i++) await ledger.append('notice.changed', { i });

  const config = await makeTsa(path.join(home, 'tsa'));
  const req = JSON.parse(cli('anchor', '--json').out);
  const reply = path.join(home, 'reply.tsr');
  await run('openssl', ['ts', '-reply', '-config', config, '-queryfile', req.file, '-out', reply], { cwd: home });
  let r = cli('anchor', '--import', reply, '--json');
  t.equal(r.status, 0, r.err);
  await ledger.append('notice.changed', { i: 4 });

  r = cli('verify', '--anchors', '--json');
  t.equal(r.status, 0, r.out);
  t.match(JSON.parse(r.out), { ok: true, entries: 5, anchors: { ok: true, recorded: 1, replies: 1, problems: [] } });
  t.match(cli('verify', '--anchors').out, /anchors OK: 1 recorded/);
  const full = await fs.readFile(file, 'utf8');
  const lines = full.split('\n').slice(0, -1);

  // Cut after the anchored entry but before the ledger.anchored entry: the chain verifies, the anchors do not.
  await fs.writeFile(file, lines.slice(0, 3).join('\n') + '\n');
  t.equal(cli('verify').status, 0, 'the shorter chain on its own verifies');
  r = cli('verify', '--anchors', '--json');
  t.equal(r.status, 1);
  t.match(JSON.parse(r.out), { ok: false, chainOk: true, anchors: { ok: false, problems: [{ problem: /ledger\.anchored entry recording it is gone.*cut short/ }] } });

  // Cut before the anchored entry itself: the reply proves an entry the ledger no longer has.
  await fs.writeFile(file, lines.slice(0, 2).join('\n') + '\n');
  r = cli('verify', '--anchors');
  t.equal(r.status, 1);
  t.match(r.out, /anchors FAILED/);
  t.match(r.out, /no longer has it: it was cut short or rewritten after it was anchored/);

  // An anchor entry whose anchored entry was replaced (history rewritten and re-chained) is named too.
  await fs.writeFile(file, full);
  const rewritten = new Ledger(path.join(home, 'other.jsonl'));
  for (let i = 0; i < 3; i++) await rewritten.append('notice.changed', { i, forged: true });
  const entries = await ledger.readAll();
  const forged = await rewritten.readAll();
  await rewritten.append('ledger.anchored', entries[3]!.data);
  await fs.copyFile(path.join(home, 'other.jsonl'), file);
  r = cli('verify', '--anchors', '--json');
  t.equal(r.status, 1);
  const report = JSON.parse(r.out);
  t.equal(report.chainOk, true, 'the forged chain is internally consistent');
  t.match(report.anchors.problems[0], { seq: 3, problem: /anchors entry 2 with hash .* has another hash: the ledger was rewritten/ });
  t.ok(forged.length === 3);
});
