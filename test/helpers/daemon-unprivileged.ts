// Child process for the daemon's unreadable-file test: starts the real daemon as root (token, daemon.json, exiftool),
// opens its folders to everyone, then drops to an unprivileged user and keeps serving. Root reads through mode 000,
// so only an unprivileged daemon can show how an unreadable input is reported.
import fs from 'node:fs/promises';
import path from 'node:path';
import { startDaemon } from '../../server/daemon/daemon.ts';
import { closeExifTool, getExifTool } from '../../server/pipeline/exiftool.ts';
import { warmUpPipeline } from './warm-up.ts';

const home = process.argv[2]!;
await fs.mkdir(path.join(home, 'output', 'public'), { recursive: true });
await fs.mkdir(path.join(home, 'output', 'private'), { recursive: true });
const d = await startDaemon({ env: { COLOPHON_HOME: home }, port: 0, logger: false });
// The daemon's own pool, started as root (both of its perl processes) and ended by d.close().
await Promise.all([0, 1, 2, 3].map(() => d.app.exiftool.readRaw(path.join(home, 'config.json'))));
// And the process-wide pool, which work outside a request's context uses.
await Promise.all([0, 1, 2, 3].map(() => getExifTool().readRaw(path.join(home, 'config.json'))));
for (const dir of [home, path.join(home, 'output'), path.join(home, 'output', 'public'), path.join(home, 'output', 'private')]) {
  await fs.chmod(dir, 0o777);
}
await warmUpPipeline(); // see warm-up.ts
if (process.getuid?.() === 0) {
  process.setgid!(65534);
  process.setuid!(65534);
}
process.stdout.write(JSON.stringify({ url: d.url, uid: process.getuid?.() }) + '\n');
process.on('SIGTERM', () => void d.close().then(closeExifTool).then(() => process.exit(0)));
