// Child process for the daemon's unreadable-file test: starts the real daemon as root (token, daemon.json, exiftool),
// opens its folders to everyone, then drops to an unprivileged user and keeps serving. Root reads through mode 000,
// so only an unprivileged daemon can show how an unreadable input is reported.
import fs from 'node:fs/promises';
import path from 'node:path';
import { c2pa } from '../../server/c2pa/library.ts';
import { startDaemon } from '../../server/daemon/daemon.ts';

const home = process.argv[2]!;
await fs.mkdir(path.join(home, 'output', 'public'), { recursive: true });
await fs.mkdir(path.join(home, 'output', 'private'), { recursive: true });
const d = await startDaemon({ env: { COLOPHON_HOME: home }, port: 0, logger: false });
await d.app.exiftool.version(); // the daemon's own pool, started as root and ended by d.close()
for (const dir of [home, path.join(home, 'output'), path.join(home, 'output', 'public'), path.join(home, 'output', 'private')]) {
  await fs.chmod(dir, 0o777);
}
// Modules load while still root, so the checkout may be anywhere (a 0700 CI folder included). The signing
// identity is not made here: keys made by root (0600) would be unreadable to the daemon once it is "nobody".
await c2pa();
if (process.getuid?.() === 0) {
  process.setgid!(65534);
  process.setuid!(65534);
}
process.stdout.write(JSON.stringify({ url: d.url, uid: process.getuid?.() }) + '\n');
process.on('SIGTERM', () => void d.close().then(() => process.exit(0)));
