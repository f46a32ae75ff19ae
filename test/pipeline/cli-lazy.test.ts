// The CLI loads a command's implementation only when that command runs: `--version` and `--help` must not pull
// in the pipeline, the daemon, the ledger or the native libraries. Checked by the modules actually loaded (a
// module hook logs each one), never by timing.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { DEFAULT_THRESHOLD as MATCH_DEFAULT } from '../../server/evidence/match.ts';
import { DEFAULT_THRESHOLD as HELP_DEFAULT } from '../../server/cli/commands/match.ts';

const CLI = path.resolve(import.meta.dirname, '../../bin/colophon.js');
const run = promisify(execFile);

/**
 * Runs the CLI with a module hook that appends every loaded file URL to a log; returns them and stdout. The hook
 * writes synchronously: the hooks run on their own thread, and a write to stderr from there can be lost when
 * `--help` exits the process at once.
 */
async function loaded(dir: string, args: string[]): Promise<{ modules: string[]; stdout: string }> {
  const log = path.join(dir, 'loaded.txt');
  const hook = path.join(dir, 'hook.mjs');
  await fs.writeFile(hook, `import { appendFileSync } from 'node:fs';\nexport async function load(url, ctx, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, ctx); }\n`);
  const reg = path.join(dir, 'register.mjs');
  await fs.writeFile(reg, `import { register } from 'node:module';\nregister(${JSON.stringify(new URL(`file://${hook}`).href)});\n`);
  const r = await run(process.execPath, ['--import', reg, CLI, ...args], { env: { ...process.env, COLOPHON_HOME: dir } });
  const modules = (await fs.readFile(log, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');
  return { modules, stdout: r.stdout };
}

const HEAVY = [/\/node_modules\/(sharp|fastify|exiftool-vendored|@contentauth|chokidar|ws|p-queue|piscina)\//, /\/server\/(pipeline|daemon|ledger|pack|c2pa|watch|services\.ts)/];

for (const args of [['--version'], ['--help'], ['process', '--help'], ['pack', '--help']]) {
  t.test(`colophon ${args.join(' ')} loads no command implementation`, async (t) => {
    const { modules, stdout } = await loaded(t.testdir(), args);
    t.ok(modules.some((m) => m.endsWith('/server/cli/main.ts')), 'the hook saw the CLI load');
    t.ok(stdout.length > 0, 'it printed something');
    t.same(modules.filter((m) => HEAVY.some((re) => re.test(m))), [], 'nothing heavy was loaded');
  });
}

t.test('the match help text shows the matcher\'s real default threshold', async (t) => {
  t.equal(HELP_DEFAULT, MATCH_DEFAULT);
});
