import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { makeImage, run } from '../helpers/pipeline-env.ts';

const CLI = path.resolve(import.meta.dirname, '../../bin/colophon.js');

function cli(home: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [CLI, ...args], { env: { ...process.env, COLOPHON_HOME: home }, maxBuffer: 16 << 20 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

t.test('colophon process signs with an identity made on first use; colophon verify exits 0 / 1 / 2', async (t) => {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-verify-'));
  t.teardown(() => fs.rm(home, { recursive: true, force: true }));
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ creator: { name: 'Jane Artist' } }));
  const img = await makeImage(path.join(home, 'in', 'frame.png'), 320, 200);
  const p = await cli(home, ['process', img, '--json']);
  t.equal(p.code, 0, p.stderr);
  const outputs = (JSON.parse(p.stdout) as { results: Array<{ outputs: Array<{ path: string; purpose: string }> }> }).results[0]!.outputs;
  const preview = outputs.find((o) => o.purpose === 'preview')!.path;
  const master = outputs.find((o) => o.purpose === 'master')!.path;

  const ok = await cli(home, ['verify', preview, master]);
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stdout, /VALID, signed and unchanged; the signer is not on the trust list/);
  t.match(ok.stdout, /cawg\.ai_training: notAllowed/);
  t.match(ok.stdout, /creator: Jane Artist/);
  t.match(ok.stdout, /ledger: recorded as asset/);

  const edited = path.join(home, 'edited.jpg');
  const bytes = await fs.readFile(preview);
  bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
  await fs.writeFile(edited, bytes);
  const bad = await cli(home, ['verify', '--json', preview, edited, img]);
  t.equal(bad.code, 1, 'any file that is changed or has no credential fails the run');
  const files = (JSON.parse(bad.stdout) as { files: Array<{ valid: boolean; changed: boolean | null; credential: string }> }).files;
  t.same(files.map((f) => [f.valid, f.changed, f.credential]), [[true, false, 'embedded'], [false, true, 'embedded'], [false, null, 'absent']]);

  const missing = await cli(home, ['verify', path.join(home, 'nope.jpg')]);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /nope\.jpg does not exist/);
  t.equal((await cli(home, ['verify'])).code, 2, 'no file given is a usage error');
});
