// The import rules of .dependency-cruiser.cjs (no cycle, the engine never imports the daemon or the CLI, the
// protocol never imports the server), checked on the real tree, and shown to catch a planted violation.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEPCRUISE = path.join(REPO, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const CONFIG = path.join(REPO, '.dependency-cruiser.cjs');

interface Violation { rule: { name: string }; from: string; to: string; cycle?: { name: string }[] }

async function cruise(cwd: string, dirs: string[]): Promise<Violation[]> {
  const run = promisify(execFile);
  // Exit status is the number of errors; the JSON report is on stdout either way.
  const out = await run(process.execPath, [DEPCRUISE, '-c', CONFIG, '-T', 'json', ...dirs], { cwd, maxBuffer: 64 << 20 })
    .catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  const report = JSON.parse(out.stdout) as { summary: { violations: Violation[] } };
  return report.summary.violations;
}

function describe(v: Violation): string {
  const via = v.cycle?.length ? `${v.from} → ${v.cycle.map((c) => c.name).join(' → ')}` : `${v.from} → ${v.to}`;
  return `${v.rule.name}: ${via}`;
}

t.test('server/ and protocol/ keep the import rules', async (t) => {
  const violations = await cruise(REPO, ['server', 'protocol']);
  t.same(violations.map(describe), [], 'no cycle and no upward import');
});

t.test('a planted cycle and upward imports are reported', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-deps-'));
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
  const files: Record<string, string> = {
    'tsconfig.json': '{ "compilerOptions": { "allowImportingTsExtensions": true, "noEmit": true } }',
    'server/pack/a.ts': "import type { B } from './b.ts';\nexport type A = B[];\n",
    'server/pack/b.ts': "import type { A } from './a.ts';\nexport type B = { a?: A };\n",
    'server/evidence/e.ts': "import { EXIT } from '../cli/exit.ts';\nexport const E = EXIT;\n",
    'server/cli/exit.ts': 'export const EXIT = 0;\n',
    'protocol/src/p.ts': "import { E } from '../../server/evidence/e.ts';\nexport const P = E;\n",
  };
  for (const [name, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), text);
  }
  const found = (await cruise(dir, ['server', 'protocol'])).map(describe).sort();
  t.ok(found.some((v) => v.startsWith('no-cycle: server/pack/a.ts → server/pack/b.ts → server/pack/a.ts')), found.join('\n'));
  t.ok(found.includes('engine-above-daemon-and-cli: server/evidence/e.ts → server/cli/exit.ts'), found.join('\n'));
  t.ok(found.includes('protocol-without-server: protocol/src/p.ts → server/evidence/e.ts'), found.join('\n'));
});

t.test('tests and benchmarks find the fixtures relative to the checkout, never at an absolute path', async (t) => {
  const offenders: string[] = [];
  for (const top of ['test', 'bench']) {
    for (const entry of await fs.readdir(path.join(REPO, top), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.(ts|mjs|js|py)$/.test(entry.name)) continue;
      const file = path.join(entry.parentPath, entry.name);
      const text = await fs.readFile(file, 'utf8');
      text.split('\n').forEach((line, i) => {
        if (/['"`]\/(work|home|root|tmp)\/[^'"`]*shared/.test(line)) offenders.push(`${path.relative(REPO, file)}:${i + 1}`);
      });
    }
  }
  t.same(offenders, [], 'use FIXTURES from test/helpers/fixtures.ts');
});
