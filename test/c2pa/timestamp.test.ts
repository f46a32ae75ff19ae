// An RFC 3161 timestamp on the signature when the profile names a TSA: a throw-away local authority
// (openssl ts -reply behind a tiny HTTP server on port 0), as `ledger anchor` is tested.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { signOutput } from '../../server/c2pa/sign.ts';
import { verifyCredential } from '../../server/c2pa/verify.ts';
import { rightsFromProfile } from '../../server/pipeline/stamp.ts';
import { makeEnv, makeImage } from '../helpers/pipeline-env.ts';

const run = promisify(execFile);
const openssl = (args: string[], cwd: string) => run('openssl', args, { cwd, timeout: 30_000 });

async function makeTsa(dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=Colophon Test TSA CA', '-days', '2',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  await openssl(['req', '-new', ...ec, '-keyout', 'tsa.key', '-out', 'tsa.csr', '-subj', '/CN=Colophon Test TSA'], dir);
  await fs.writeFile(path.join(dir, 'ext.cnf'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n');
  await openssl(['x509', '-req', '-in', 'tsa.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tsa.crt', '-days', '2', '-extfile', 'ext.cnf'], dir);
  await fs.writeFile(path.join(dir, 'tsaserial'), '01\n');
  await fs.writeFile(path.join(dir, 'chain.pem'), Buffer.concat([await fs.readFile(path.join(dir, 'tsa.crt')), await fs.readFile(path.join(dir, 'ca.crt'))]));
  const config = path.join(dir, 'tsa.cnf');
  await fs.writeFile(config, ['[ tsa ]', 'default_tsa = tsa_config1', '[ tsa_config1 ]', `dir = ${dir}`, 'serial = $dir/tsaserial',
    'crypto_device = builtin', 'signer_cert = $dir/tsa.crt', 'certs = $dir/chain.pem', 'signer_key = $dir/tsa.key', 'signer_digest = sha256',
    'default_policy = 1.2.3.4.1', 'digests = sha256, sha384, sha512', 'accuracy = secs:1', 'ordering = yes', 'tsa_name = yes',
    'ess_cert_id_chain = no', 'ess_cert_id_alg = sha256', ''].join('\n'));
  return config;
}

t.test('credentials.tsaUrl: the signature carries the authority\'s time', async (t) => {
  const env = await makeEnv(t);
  const dir = path.join(env.home, 'tsa');
  const config = await makeTsa(dir);
  let requests = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      requests++;
      const q = path.join(dir, `q${requests}.tsq`);
      const r = path.join(dir, `r${requests}.tsr`);
      await fs.writeFile(q, Buffer.concat(chunks));
      try {
        await openssl(['ts', '-reply', '-config', config, '-queryfile', q, '-out', r], dir);
        res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(await fs.readFile(r));
      } catch (err) {
        res.writeHead(500).end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsr`;

  const profile = { ...env.profile, credentials: { thumbnail: false, tsaUrl: url } };
  const file = await makeImage(path.join(env.home, 'in', 'stamped.jpg'), 200, 120, { format: 'jpeg' });
  const before = Date.now();
  await signOutput({ file, dest: file, format: 'jpeg', role: 'master', rights: rightsFromProfile(profile, 'digitalCreation') }, { profile, configDir: env.configDir! });
  t.ok(requests >= 1, 'the authority was asked');
  const v = await verifyCredential(file, null);
  t.equal(v.valid, true, v.problems.join('; ') || 'valid');
  t.ok(v.timestamp, 'a timestamp is reported');
  t.ok(Math.abs(Date.parse(v.timestamp!) - before) < 120_000, `the time (${v.timestamp}) is the authority's, now`);

  const down = { ...env.profile, credentials: { thumbnail: false, tsaUrl: 'http://127.0.0.1:9/tsr' } };
  const other = await makeImage(path.join(env.home, 'in', 'down.jpg'), 200, 120, { format: 'jpeg' });
  const err = await signOutput({ file: other, dest: other, format: 'jpeg', role: 'master', rights: rightsFromProfile(down, 'digitalCreation') }, { profile: down, configDir: env.configDir! }).catch((e: unknown) => e);
  t.match(String((err as Error)?.message), /down\.jpg.*timestamp server http:\/\/127\.0\.0\.1:9\/tsr/, 'an unreachable TSA fails naming the file and the server');
});
