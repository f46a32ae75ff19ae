// The CLI loads a command's implementation only when that command runs: `--version` and `--help` must not pull
// in the pipeline, the daemon, the ledger or the native libraries. Checked by the modules actually loaded (a
// module hook logs each one), never by timing.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { currentBuild } from '../../bin/compiled.js';
import { DEFAULT_THRESHOLD as MATCH_DEFAULT } from '../../server/evidence/match.ts';
import { DEFAULT_THRESHOLD as HELP_DEFAULT } from '../../server/cli/commands/match.ts';

const CLI = path.resolve(import.meta.dirname, '../../bin/colophon.js');
const run = promisify(execFile);

/**
 * Runs the CLI with a module hook that appends every loaded file URL to a log; returns them and stdout. The hook
 * writes synchronously: the hooks run on their own thread, and a write to stderr from there can be lost when
 * `--help` exits the process at once. A chunk of the compiled CLI (dist/cli) stands for the sources its source map
 * lists, so both ways of running are judged by the same names.
 */
async function loaded(dir: string, args: string[], fromSource: boolean): Promise<{ modules: string[]; stdout: string }> {
  const log = path.join(dir, 'loaded.txt');
  const hook = path.join(dir, 'hook.mjs');
  await fs.writeFile(hook, `import { appendFileSync } from 'node:fs';\nexport async function load(url, ctx, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, ctx); }\n`);
  const reg = path.join(dir, 'register.mjs');
  await fs.writeFile(reg, `import { register } from 'node:module';\nregister(${JSON.stringify(new URL(`file://${hook}`).href)});\n`);
  const env = { ...process.env, COLOPHON_HOME: dir, COLOPHON_FROM_SOURCE: fromSource ? '1' : '0' };
  const r = await run(process.execPath, ['--import', reg, CLI, ...args], { env });
  const urls = (await fs.readFile(log, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');
  const modules: string[] = [];
  for (const url of urls) {
    modules.push(url);
    if (url.startsWith(BUILT) && url.endsWith('.mjs')) {
      const file = fileURLToPath(url);
      const map = JSON.parse(await fs.readFile(`${file}.map`, 'utf8')) as { sources: string[] };
      modules.push(...map.sources.map((s) => pathToFileURL(path.resolve(path.dirname(file), s)).href));
    }
  }
  return { modules, stdout: r.stdout };
}

const BUILT = pathToFileURL(path.resolve(import.meta.dirname, '../../dist/cli')).href + '/';
const HEAVY = [/\/node_modules\/(sharp|fastify|exiftool-vendored|@contentauth|chokidar|ws|p-queue|piscina)\//, /\/server\/(pipeline|daemon|ledger|pack|c2pa|watch|services\.ts)/];

const current = currentBuild() != null;

for (const fromSource of [true, false]) {
  const how = fromSource ? 'from the sources' : 'compiled';
  const skip = !fromSource && !current && 'dist/cli is missing or older than the sources: run `npm run build:cli` (npm ci does)';
  for (const args of [['--version'], ['--help'], ['process', '--help'], ['pack', '--help']]) {
    t.test(`colophon ${args.join(' ')} (${how}) loads no command implementation`, { skip }, async (t) => {
      const { modules, stdout } = await loaded(t.testdir(), args, fromSource);
      t.ok(modules.some((m) => m.endsWith('/server/cli/main.ts')), 'the hook saw the CLI load');
      t.equal(modules.some((m) => m.startsWith(BUILT)), !fromSource, fromSource ? 'from the TypeScript sources' : 'from dist/cli');
      t.ok(stdout.length > 0, 'it printed something');
      t.same(modules.filter((m) => HEAVY.some((re) => re.test(m))), [], 'nothing heavy was loaded');
    });
  }
}

t.test('the match help text shows the matcher\'s real default threshold', async (t) => {
  t.equal(HELP_DEFAULT, MATCH_DEFAULT);
});

/**
 * Runs `colophon process` with a preload that writes, as the process exits, the packages require() loaded
 * (exiftool-vendored is CommonJS, so the module hook above would not see it).
 */
async function processLoading(home: string, input: string, out: string): Promise<string[]> {
  const log = path.join(home, 'required.json');
  const preload = path.join(home, 'preload.cjs');
  await fs.writeFile(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(log)}, JSON.stringify(Object.keys(require.cache))));\n`);
  await run(process.execPath, ['--require', preload, CLI, 'process', input, '--out', out], { env: { ...process.env, COLOPHON_HOME: home } });
  const files = JSON.parse(await fs.readFile(log, 'utf8')) as string[];
  return [...new Set(files.map((f) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]).filter((p): p is string => p != null))];
}

t.test('a `colophon process` of PNG renders stamps from the kept templates and never loads exiftool-vendored', async (t) => {
  const dir = t.testdir();
  const { default: sharp } = await import('sharp');
  const png = (name: string, hue: number) => sharp({ create: { width: 64, height: 48, channels: 3, background: { r: hue, g: 90, b: 200 } } }).png().toFile(path.join(dir, name));
  await png('first.png', 10);
  await png('second.png', 200);
  await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } }).jpeg().toFile(path.join(dir, 'photo.jpg'));
  // The first run on a machine authors the templates with exiftool; later runs find them kept.
  t.ok((await processLoading(dir, path.join(dir, 'first.png'), path.join(dir, 'out'))).includes('exiftool-vendored'), 'the first run authored the templates with exiftool');
  const second = await processLoading(dir, path.join(dir, 'second.png'), path.join(dir, 'out'));
  t.ok(second.includes('sharp'), 'the preload saw the packages the run loaded');
  t.notOk(second.includes('exiftool-vendored'), 'a later PNG render loads no exiftool-vendored');
  t.ok(second.includes('@contentauth/c2pa-node'), 'the C2PA library was loaded to sign it');
  t.notOk(second.includes('fs-extra'), 'without the package index\'s settings helpers (fs-extra, node-fetch)');
  const outs = await fs.readdir(path.join(dir, 'out', 'private'), { recursive: true });
  t.ok(outs.some((f) => f.endsWith('second.png')), 'and its master was written');
  t.ok((await processLoading(dir, path.join(dir, 'photo.jpg'), path.join(dir, 'out'))).includes('exiftool-vendored'), 'a JPEG master is stamped by exiftool, which is loaded for it');
});
