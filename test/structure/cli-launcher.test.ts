// bin/colophon.js runs the compiled CLI only while it is current, and the TypeScript sources otherwise, so an
// edited checkout never runs stale code. Checked on a stand-in checkout whose two entry points say which one ran.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';

const repo = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

async function standIn(dir: string): Promise<{ which: (env?: NodeJS.ProcessEnv) => Promise<string>; age: (rel: string, secondsAgo: number) => Promise<void> }> {
  await fs.mkdir(path.join(dir, 'bin'));
  await fs.mkdir(path.join(dir, 'dist/cli'), { recursive: true });
  await fs.mkdir(path.join(dir, 'server/cli'), { recursive: true });
  for (const f of ['colophon.js', 'compiled.js']) await fs.copyFile(path.join(repo, 'bin', f), path.join(dir, 'bin', f));
  await fs.symlink(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'));
  await fs.writeFile(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  await fs.writeFile(path.join(dir, 'dist/cli/main.mjs'), "console.log('compiled');\n");
  await fs.writeFile(path.join(dir, 'server/cli/main.ts'), "const which: string = 'sources';\nconsole.log(which);\n");
  await fs.writeFile(path.join(dir, 'dist/cli/sources.json'), JSON.stringify({ entry: 'main.mjs', sources: ['server/cli/main.ts'] }));
  const age = async (rel: string, secondsAgo: number) => {
    const when = new Date(Date.now() - secondsAgo * 1000);
    await fs.utimes(path.join(dir, rel), when, when);
  };
  await age('server/cli/main.ts', 60);
  await age('dist/cli/sources.json', 30);
  const which = async (env: NodeJS.ProcessEnv = {}) => {
    const r = await run(process.execPath, [path.join(dir, 'bin/colophon.js')], { env: { ...process.env, COLOPHON_FROM_SOURCE: '', ...env } });
    return r.stdout.trim();
  };
  return { which, age };
}

t.test('a build newer than every source it lists is what runs', async (t) => {
  const { which } = await standIn(t.testdir());
  t.equal(await which(), 'compiled');
  t.equal(await which({ COLOPHON_FROM_SOURCE: '1' }), 'sources', 'COLOPHON_FROM_SOURCE=1 runs the sources anyway');
});

t.test('a source edited after the build: the sources run', async (t) => {
  const { which, age } = await standIn(t.testdir());
  await age('server/cli/main.ts', 0);
  t.equal(await which(), 'sources');
});

t.test('a build that lists a source no longer there, or has no listing: the sources run', async (t) => {
  const dir = t.testdir();
  const { which, age } = await standIn(dir);
  await fs.writeFile(path.join(dir, 'dist/cli/sources.json'), JSON.stringify({ entry: 'main.mjs', sources: ['server/cli/main.ts', 'server/gone.ts'] }));
  await age('dist/cli/sources.json', 30);
  t.equal(await which(), 'sources', 'a listed source is missing');
  await fs.rm(path.join(dir, 'dist/cli/sources.json'));
  t.equal(await which(), 'sources', 'no listing');
});
