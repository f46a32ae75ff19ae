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
