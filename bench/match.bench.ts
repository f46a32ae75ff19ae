// Copy matching against a ledger of 200 image assets: 40 suspects (20 lightly cropped copies, which trigger
// the crop search, and 20 unrelated renders). Baseline, measured in the same run: hashing the 40 suspects
// with the plain pHash alone, the least any matcher must do.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { loadAssetIndex } from '../server/evidence/assets.ts';
import { matchFiles } from '../server/evidence/match.ts';
import { Ledger } from '../server/ledger/ledger.ts';
import { phash } from '../server/pipeline/phash.ts';
import { makeRender } from '../test/evidence/helpers.ts';

const ASSETS = 200;
const COPIES = 20;
const UNRELATED = 20;
const root = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-match-bench-'));
try {
  const ledger = new Ledger(path.join(root, 'ledger.jsonl'));
  for (let i = 0; i < ASSETS; i++) {
    const file = await makeRender(path.join(root, 'assets', `a${i}.png`), 1000 + i);
    const h = await phash(file);
    await ledger.append('asset.recorded', {
      assetId: i.toString(16).padStart(16, '0'),
      source: 'cli',
      input: { path: file, sha256: 'a'.repeat(64), bytes: 1, kind: 'render', format: 'png', phash: h },
      outputs: [{ path: file, visibility: 'public', purpose: 'preview', sha256: 'b'.repeat(64), bytes: 1, phash: h }],
    });
  }
  const suspects = path.join(root, 'suspects');
  await fs.mkdir(suspects);
  for (let i = 0; i < COPIES; i++) {
    const src = path.join(root, 'assets', `a${i * 7}.png`);
    const { width = 0, height = 0 } = await sharp(src).metadata();
    const w = Math.floor(width * 0.95), h = Math.floor(height * 0.95);
    await sharp(src).extract({ left: width - w, top: 0, width: w, height: h }).jpeg({ quality: 70 }).toFile(path.join(suspects, `copy${i}.jpg`));
  }
  for (let i = 0; i < UNRELATED; i++) await makeRender(path.join(suspects, `other${i}.png`), 5000 + i);
  const files = (await fs.readdir(suspects)).map((f) => path.join(suspects, f));

  const t0 = performance.now();
  for (const f of files) await phash(f);
  const base = (performance.now() - t0) / 1000;

  const index = await loadAssetIndex(ledger);
  const t1 = performance.now();
  const report = await matchFiles([suspects], index);
  const full = (performance.now() - t1) / 1000;

  console.log(`ledger of ${ASSETS} image assets, ${files.length} suspects (${COPIES} cropped copies, ${UNRELATED} unrelated)`);
  console.log(`baseline, plain pHash of every suspect: ${base.toFixed(2)} s  (${(files.length / base).toFixed(1)} files/s)`);
  console.log(`colophon match (mirror + crop search):  ${full.toFixed(2)} s  (${(files.length / full).toFixed(1)} files/s)`);
  console.log(`ratio match / baseline: ${(full / base).toFixed(1)}x`);
  console.log(`found ${report.matches.length}/${COPIES} copies, ${report.matches.filter((m) => m.file.includes('other')).length} unrelated flagged`);
} finally {
  await fs.rm(root, { recursive: true, force: true });
}
