// Child process for the unreadable-file test: loads every module (and starts exiftool) first, then drops to an
// unprivileged user when run as root, because root reads through mode 000 and the check would prove nothing.
// Dropping after loading keeps it working when the checkout itself is not readable by that user.
import { parseProfile } from '../../server/config.ts';
import { closeExifTool } from '../../server/pipeline/exiftool.ts';
import { processPaths } from '../../server/pipeline/process.ts';
import { resolvePaths } from '../../server/paths.ts';
import { warmUpPipeline } from './warm-up.ts';

const [outRoot, ...files] = process.argv.slice(2);
const { profile } = parseProfile({ creator: { name: 'Test' } }, 'test', resolvePaths({ COLOPHON_HOME: outRoot! }));
await warmUpPipeline();
if (process.getuid?.() === 0) {
  process.setgid!(65534);
  process.setuid!(65534);
}
const report = await processPaths(files, { source: 'cli' }, { profile, outRoot: outRoot!, ledger: null, configDir: outRoot! });
process.stdout.write(JSON.stringify({ uid: process.getuid?.(), ...report }));
await closeExifTool();
