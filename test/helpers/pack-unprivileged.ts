// Child process for the unreadable-file-in-a-pack test; see process-unprivileged.ts for why privileges are
// dropped only after every module (and exiftool) is loaded.
import { parseProfile } from '../../server/config.ts';
import { closeExifTool } from '../../server/pipeline/exiftool.ts';
import { runPack } from '../../server/pack/run.ts';
import { resolvePaths } from '../../server/paths.ts';
import { warmUpPipeline } from './warm-up.ts';

const [outDir, pack] = process.argv.slice(2);
const { profile } = parseProfile({ creator: { name: 'Test' } }, 'test', resolvePaths({ COLOPHON_HOME: outDir! }));
await warmUpPipeline();
if (process.getuid?.() === 0) {
  process.setgid!(65534);
  process.setuid!(65534);
}
const r = await runPack(pack!, { outDir: outDir!, market: 'generic', env: { profile, ledger: null, configDir: outDir! }, blender: null, concurrency: 1 });
process.stdout.write(JSON.stringify({ uid: process.getuid?.(), results: r.results.map((x) => x.input.path), errors: r.errors }));
await closeExifTool();
