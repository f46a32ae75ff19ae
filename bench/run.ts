// Runs every bench/*.bench.ts in turn (`npm run bench -- NAME` runs the ones whose file name contains NAME,
// e.g. `pipeline` or `faults`; a NAME that is exactly one file's name, like `pipeline` or `pipeline-rss`, runs only that
// one); each prints its own figures and ratios against a baseline it measures in the same run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const dir = path.dirname(new URL(import.meta.url).pathname);
const only = process.argv[2];
const all = fs.readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort();
const files = only != null && all.includes(`${only}.bench.ts`) ? [`${only}.bench.ts`] : all.filter((f) => only == null || f.includes(only));
let failed = 0;
for (const f of files) {
  console.log(`\n### ${f}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', path.join(dir, f)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
if (files.length === 0) console.log('no benchmarks found');
process.exitCode = failed === 0 ? 0 : 1;
