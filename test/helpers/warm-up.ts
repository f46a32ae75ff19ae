// For the children that drop root before they act (root reads through mode 000, so only an unprivileged process
// shows how an unreadable input is reported): everything is loaded while still root, so the checkout may be
// anywhere, a 0700 CI folder included. Processing one small file loads what the stages load lazily (the C2PA
// binary, exiftool and its argument files). It runs in a throwaway home, so no key made by root is left behind
// for the unprivileged process.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { loadProfile } from '../../server/config.ts';
import { resolvePaths } from '../../server/paths.ts';
import { processFile } from '../../server/pipeline/process.ts';

export async function warmUpPipeline(): Promise<void> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-warm-'));
  try {
    const image = path.join(home, 'warm.jpg');
    await sharp({ create: { width: 16, height: 16, channels: 3, background: '#808080' } }).jpeg().toFile(image);
    const { profile } = await loadProfile(resolvePaths({ COLOPHON_HOME: home }));
    await processFile(image, { source: 'cli' }, { profile, outRoot: path.join(home, 'out'), ledger: null, configDir: home });
  } finally {
    await fs.rm(home, { recursive: true, force: true });
  }
}
