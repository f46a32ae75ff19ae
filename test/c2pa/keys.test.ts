import { X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ensureIdentity, importIdentity, initIdentity, keyFiles, makeLocalIdentity, showIdentity } from '../../server/c2pa/keys.ts';
import { ColophonError } from '../../server/errors.ts';
import { run } from '../helpers/pipeline-env.ts';

const CLI = path.resolve(import.meta.dirname, '../../bin/colophon.js');

async function home(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-keys-'));
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

function cli(dir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [CLI, ...args], { env: { ...process.env, COLOPHON_HOME: dir } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

t.test('keys init: an ES256 leaf under a CA made for this machine, private keys 0600', async (t) => {
  const dir = await home(t);
  const info = await initIdentity(dir, 'Jane Artist');
  t.equal(info.kind, 'local');
  t.equal(info.alg, 'es256');
  const f = keyFiles(dir);
  for (const secret of [f.key, f.caKey]) t.equal((await fs.stat(secret)).mode & 0o777, 0o600, `${path.basename(secret)} is 0600`);
  const pems = (await fs.readFile(f.chain, 'utf8')).match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
  t.equal(pems.length, 2, 'chain: leaf, then the local CA');
  const [leaf, ca] = pems.map((p) => new X509Certificate(p)) as [X509Certificate, X509Certificate];
  t.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey), 'the leaf is issued and signed by the CA');
  t.equal(ca.ca, true, 'the CA is a CA');
  t.equal(leaf.ca, false, 'the leaf is not');
  t.equal(leaf.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1', 'P-256 key (ES256)');
  t.match(leaf.subject, /CN=Jane Artist/);
  t.same(leaf.keyUsage, ['1.3.6.1.5.5.7.3.4'], 'extended key usage: emailProtection, which C2PA accepts for claim signers');

  await t.rejects(initIdentity(dir, 'Jane Artist'), /already exists.*--force/, 'never replaced silently');
  const again = await initIdentity(dir, 'Jane Artist', { force: true });
  t.not(again.fingerprint, info.fingerprint, '--force makes a new one');
  t.same(await showIdentity(dir), again);
});

t.test('first use makes the identity; keys import takes a CA-issued chain and refuses a key that does not match', async (t) => {
  const dir = await home(t);
  t.equal(await showIdentity(dir), null, 'nothing before first use');
  const id = await ensureIdentity(dir, 'Jane Artist');
  t.equal(id.kind, 'local', 'made on first use');
  t.equal((await ensureIdentity(dir, 'Someone Else')).fingerprint, id.fingerprint, 'then reused');

  const other = await makeLocalIdentity('Studio Cert');
  const certFile = path.join(dir, 'chain.pem');
  const keyFile = path.join(dir, 'key.pem');
  await fs.writeFile(certFile, other.chainPem);
  await fs.writeFile(keyFile, other.keyPem);
  const imported = await importIdentity(dir, certFile, keyFile);
  t.equal(imported.kind, 'imported');
  t.match(imported.subject, /Studio Cert/);
  await t.rejects(fs.stat(keyFiles(dir).caKey), { code: 'ENOENT' }, 'the local CA key is removed with the local identity');

  const wrongKey = path.join(dir, 'wrong.pem');
  await fs.writeFile(wrongKey, (await makeLocalIdentity('x')).keyPem);
  const err = await importIdentity(dir, certFile, wrongKey).catch((e: unknown) => e);
  t.ok(err instanceof ColophonError && err.key === 'KEYS_INVALID', 'a key of another certificate is refused');
  t.match((err as Error).message, /wrong\.pem.*does not belong.*chain\.pem/);
  await t.rejects(importIdentity(dir, keyFile, keyFile), /holds no PEM certificate/);
  t.equal((await showIdentity(dir))?.fingerprint, imported.fingerprint, 'a refused import leaves the identity as it was');
});

t.test('colophon keys show|init on the command line', async (t) => {
  const dir = await home(t);
  const none = await cli(dir, ['keys', 'show']);
  t.equal(none.code, 1, 'show without an identity exits 1');
  t.match(none.stdout, /keys init/);
  const init = await cli(dir, ['keys', 'init']);
  t.equal(init.code, 0, init.stderr);
  t.match(init.stdout, /not on the trust list|no trust list/);
  const shown = await cli(dir, ['keys', 'show', '--json']);
  t.equal(JSON.parse(shown.stdout).alg, 'es256');
  const usage = await cli(dir, ['keys', 'import', '--cert', 'x.pem']);
  t.equal(usage.code, 2, 'a missing --key is a usage error');
});
