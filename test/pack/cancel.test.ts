import { execFileSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { closeExifTool } from '../../server/pipeline/exiftool.ts';
import { runPack } from '../../server/pack/run.ts';
import { openServices } from '../../server/services.ts';
import { png } from './helpers.ts';

t.teardown(closeExifTool);

t.test('a cancelled pack stops with CANCELLED and the next run finishes the rest', async (t) => {
  const root = t.testdir({ home: {} });
  const pack = path.join(root, 'Job');
  for (let i = 0; i < 10; i++) await png(path.join(pack, `shot_${i}.png`), 80, 60, [i * 20, 50, 50]);
  const services = await openServices({ COLOPHON_HOME: path.join(root, 'home') });
  const env = { profile: services.profile, ledger: services.ledger };
  const abort = new AbortController();
  const opts = { outDir: path.join(root, 'out'), market: 'generic' as const, env, blender: null };
  await t.rejects(
    runPack(pack, { ...opts, signal: abort.signal, onProgress: (done) => { if (done === 3) abort.abort(); } }),
    { key: 'CANCELLED', message: /run pack again/ },
  );
  const r = await runPack(pack, opts);
  const s = r.report.summary as { processed: number; reused: number };
  t.equal(s.processed, 10);
  t.ok(s.reused >= 3 && s.reused < 10, `finished files reused (${s.reused})`);
  const recorded = (await services.ledger.readAll()).filter((e) => e.type === 'asset.recorded').length;
  t.equal(recorded, 10, 'each file recorded once across both runs');
  await services.close();
});

t.test('an output folder inside the pack is never walked, and a zipped folder is unwrapped', async (t) => {
  const root = t.testdir({ home: {} });
  const pack = path.join(root, 'Nested');
  await png(path.join(pack, 'tex', 'Moss_BaseColor.png'), 64, 64, [40, 90, 30]);
  await png(path.join(pack, 'tex', 'Moss_Normal.png'), 64, 64, [128, 128, 250]);
  const services = await openServices({ COLOPHON_HOME: path.join(root, 'home') });
  const env = { profile: services.profile, ledger: null };
  const inside = path.join(pack, 'dist');
  const first = await runPack(pack, { outDir: inside, market: 'generic', env, blender: null });
  const again = await runPack(pack, { outDir: inside, market: 'generic', env, blender: null });
  t.equal((again.report.summary as { files: number }).files, 2, 'outputs of the first run are not inputs of the second');
  t.equal(again.archive.sha256, first.archive.sha256);

  execFileSync('zip', ['-qr', path.join(root, 'Nested.zip'), 'Nested', '-x', 'Nested/dist/*'], { cwd: root });
  const zipped = await runPack(path.join(root, 'Nested.zip'), { outDir: path.join(root, 'zout'), market: 'generic', env, blender: null });
  t.same(zipped.results.map((x) => x.input.path).sort(), ['tex/Moss_BaseColor.png', 'tex/Moss_Normal.png'], 'the zip\'s single top folder is the pack');
  t.ok(zipped.public.some((o) => o.path.endsWith(path.join('public', 'tex', 'Moss.contact-sheet.jpg'))));
  await services.close();
});
