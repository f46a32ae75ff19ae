// End to end: the real daemon (`colophon serve`), real Blender (headless) with the add-on enabled, and the
// real fixtures. Blender runs test/blender/scenario.py, which prints what the add-on reported; these tests
// check that against what the daemon actually wrote (outputs, ledger, zip) and cross-check metadata with exiv2.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import sharp from 'sharp';
import yauzl from 'yauzl';
import { sha256File } from '../../server/util/hash.ts';
import { BLENDER, FIXTURES, REPO, fixtureBlend, ledger, onPath, sandbox, startDaemon, type Sandbox } from './harness.ts';

const run = promisify(execFile);
const SCENARIO = path.join(import.meta.dirname, 'scenario.py');

interface Report {
  state: string;
  connection: string;
  messages: Array<[string, string]>;
  events: Array<Record<string, any>>;
  pending: number;
  spool: string[];
  [k: string]: unknown;
}

const skip = !onPath(BLENDER) ? 'blender not installed' : false;

async function blender(box: Sandbox, blend: string, args: string[]): Promise<{ report: Report; stdout: string; stderr: string }> {
  const env = { ...process.env, BLENDER_USER_SCRIPTS: box.scripts, BLENDER_USER_CONFIG: box.config, COLOPHON_HOME: box.home };
  const argv = ['-b', '--factory-startup', '--python-exit-code', '1', '--addons', 'colophon', blend, '--python', SCENARIO, '--', ...args];
  const { stdout, stderr } = await run(BLENDER, argv, { env, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
  const line = stdout.split('\n').find((l) => l.startsWith('COLOPHON_RESULT '));
  if (line == null) throw new Error(`scenario printed no result\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`);
  return { report: JSON.parse(line.slice('COLOPHON_RESULT '.length)) as Report, stdout, stderr };
}

async function exiv2Xmp(file: string): Promise<string> {
  const { stdout } = await run('exiv2', ['-px', file]).catch((e) => ({ stdout: String(e.stdout ?? '') }));
  return stdout;
}

async function exiv2Exif(file: string): Promise<string> {
  const { stdout } = await run('exiv2', ['-pe', file]).catch((e) => ({ stdout: String(e.stdout ?? '') }));
  return stdout;
}

async function pngBitDepth(file: string): Promise<number> {
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(25);
    await fh.read(buf, 0, 25, 0);
    return buf[24]!; // IHDR bit depth
  } finally {
    await fh.close();
  }
}

/** The text of a PNG tEXt chunk (Blender writes its stamp fields there), or null. */
async function pngText(file: string, keyword: string): Promise<string | null> {
  const buf = await fs.readFile(file);
  for (let pos = 8; pos + 8 <= buf.length;) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    if (type === 'tEXt') {
      const body = buf.subarray(pos + 8, pos + 8 + len);
      const nul = body.indexOf(0);
      if (body.toString('latin1', 0, nul) === keyword) return body.subarray(nul + 1).toString('utf8');
    }
    pos += 12 + len;
  }
  return null;
}

async function zipEntries(file: string): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.open(file, { lazyEntries: true }, (e, z) => (e ? rej(e) : res(z!))));
  const out = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream!.on('data', (c: Buffer) => chunks.push(c));
        stream!.on('end', () => { out.set(entry.fileName, Buffer.concat(chunks)); zip.readEntry(); });
      });
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  return out;
}

t.test('add-on in real Blender against the real daemon', { skip }, async (t) => {
  const box = await sandbox('daemon');
  await run(process.execPath, [path.join(REPO, 'bin', 'colophon.js'), 'init', '--creator', 'Jane Artist'], { env: { ...process.env, COLOPHON_HOME: box.home } });
  const daemon = await startDaemon(box);
  t.teardown(async () => {
    await daemon.stop();
    await fs.rm(box.root, { recursive: true, force: true });
  });

  t.test('(a) F12 render of particle.blend: public preview, stamped private master, ledger entry with the scene context', async (t) => {
    const [blend] = await fixtureBlend(box, 'particle.blend');
    const before = await sha256File(path.join(FIXTURES, 'blend', 'particle.blend'));
    const { report } = await blender(box, blend!, ['still', '--export']);
    t.equal(report.state, 'connected', report.connection);
    t.equal(report.pending, 0, 'nothing left in the outbox');
    const render = report.events.find((e) => e.method === 'asset.process');
    t.ok(render, 'the render was sent');
    t.same(render!.errors, [], 'the daemon reported no failure');
    const asset = render!.results[0];
    t.equal(asset.source, 'f12');
    t.match(asset.input, /spool\/renders\/particle_Scene_f\d{4}_.*\.png$/, 'the Render Result was saved to the spool');
    t.equal(await pngBitDepth(asset.master), 8, 'spooled render is an 8-bit PNG, as Blender\'s own save');
    const [w, h] = [160, 120];
    t.ok((await fs.stat(asset.master)).size < w * h * 4, 'compressed (on the worker thread) before the daemon got it');

    t.ok(existsSync(asset.preview), 'public preview exists');
    t.match(asset.preview, /\/public\/[0-9a-f]{16}\/.*\.preview\.jpg$/);
    t.ok(existsSync(asset.master), 'private master exists');
    t.match(asset.master, /\/private\/[0-9a-f]{16}\//);
    const masterXmp = await exiv2Xmp(asset.master);
    t.match(masterXmp, /Xmp\.dc\.creator/, 'exiv2 reads dc:creator on the master');
    t.match(masterXmp, /Xmp\.plus\.DataMining\s+XmpText\s+\d+\s+http:\/\/ns\.useplus\.org\/ldf\/vocab\/DMI-PROHIBITED/, 'exiv2 reads plus:DataMining');
    t.match(await exiv2Xmp(asset.preview), /Xmp\.plus\.DataMining/, 'the preview carries the rights too');

    const entries = await ledger(box);
    const entry = entries.find((e) => e.type === 'asset.recorded' && e.data.assetId === asset.assetId);
    t.ok(entry, 'ledger has the render');
    t.equal(entry!.seq, asset.ledgerSeq, 'the add-on got the ledger seq back');
    t.equal(entry!.data.source, 'f12');
    t.match(entry!.data.context, {
      blendFile: blend, scene: 'Scene', camera: 'Camera', engine: 'CYCLES', samples: 4, resolution: [160, 120],
      blenderVersion: /^\d+\.\d+/,
    });
    t.type(entry!.data.context.frame, 'number');
    t.ok(entry!.data.context.renderSeconds > 0, 'render time recorded');

    const exported = report.events.find((e) => e.method === 'preview.export');
    t.ok(exported, 'Export Public Preview sent the render result');
    t.same(report.export, ['FINISHED']);
    t.ok(existsSync(exported!.result.preview), 'the exported public preview exists');
    t.ok(report.messages.some(([, m]) => m.includes(`public preview written to ${exported!.result.preview}`)), 'and the add-on said where it went');
    const exports = report.events.filter((e) => e.method === 'preview.export');
    t.equal(exports.length, 2, 'two Export clicks');
    t.equal(exports[1]!.result.assetId, exports[0]!.result.assetId, 'the same picture, the same asset');
    const masterDir = path.join(box.home, 'output', 'private', exports[0]!.result.assetId);
    const masters = (await fs.readdir(masterDir)).filter((f) => f.endsWith('.png'));
    t.equal(masters.length, 1, `one master in the asset folder, not one per click (${masters.join(', ')})`);
    t.same(report.spool, [], 'the spooled render was removed once the daemon confirmed it');
    t.same(await sha256File(path.join(FIXTURES, 'blend', 'particle.blend')), before, 'the fixture is untouched');
  });

  t.test('(a) F12 with EXR output: the raw EXR is the master, the preview comes from the display PNG', async (t) => {
    const [blend] = await fixtureBlend(box, 'particle.blend');
    const { report } = await blender(box, blend!, ['still', '--exr']);
    const render = report.events.find((e) => e.method === 'asset.process');
    t.ok(render, 'the render was sent');
    t.match(render!.params.paths[0], /\.exr$/, 'the EXR is the master');
    t.match(render!.params.display, /\.png$/, 'the PNG is the display rendition');
    t.same(render!.errors, []);
    const asset = render!.results[0];
    t.match(asset.master, /\.exr$/);
    t.ok(existsSync(asset.preview), 'a public preview was made');
    t.ok(existsSync(`${asset.master}.xmp`), 'the EXR master got an .xmp sidecar');
  });

  t.test('Export Public Preview on a photo file and on an image painted in Blender', async (t) => {
    const photo = path.join(box.work, 'DSCN0010.jpg');
    await fs.copyFile(path.join(FIXTURES, 'photos', 'DSCN0010.jpg'), photo);
    const [blend] = await fixtureBlend(box, 'basic_file.blend');
    const { report } = await blender(box, blend!, ['export-images', photo]);
    t.same(report.operator, [['FINISHED'], ['FINISHED']]);
    t.match(report.missingImage, /there is no image called 'No Such Image'/, 'an unknown image name is a clear error');
    const exports = report.events.filter((e) => e.method === 'preview.export');
    t.equal(exports.length, 2);
    t.equal(exports[0]!.params.path, photo, 'a saved, unchanged image is sent as its own file');
    t.match(exports[1]!.params.path, /spool\/exports\/Painted_.*\.png$/, 'an unsaved image is saved to the spool first');
    for (const e of exports) {
      t.ok(existsSync(e.result.preview), `public preview of ${path.basename(e.params.path)} exists`);
      t.equal(e.result.source, 'export');
    }
    t.notMatch(await exiv2Exif(exports[0]!.result.preview), /GPS/, 'the photo\'s GPS position is not in its public preview');
  });

  t.test('(b) a 3-frame animation gives 3 assets, each frame once', async (t) => {
    const [blend] = await fixtureBlend(box, 'particle.blend');
    const frames = path.join(box.work, 'frames');
    await fs.mkdir(frames);
    const seqBefore = (await ledger(box)).length;
    const { report } = await blender(box, blend!, ['animation', frames]);
    t.same(report.written, ['frame_0001.png', 'frame_0002.png', 'frame_0003.png']);
    const sends = report.events.filter((e) => e.method === 'asset.process');
    t.equal(sends.length, 3, 'three sends, the last frame not twice');
    t.same(sends.map((e) => path.basename(e.params.paths[0])).sort(), report.written);
    t.ok(sends.every((e) => e.results[0].source === 'animation'));
    const recorded = (await ledger(box)).slice(seqBefore).filter((e) => e.type === 'asset.recorded');
    t.equal(recorded.length, 3, 'three ledger entries');
    t.same(recorded.map((e) => e.data.context.frame).sort(), [1, 2, 3]);
    t.ok(recorded.every((e) => e.data.source === 'animation'));
  });

  t.test('(c) Archive .blend headless: linked_cube.blend and its library, recorded under the original, rights from the profile', async (t) => {
    const [blend] = await fixtureBlend(box, 'linked_cube.blend', 'basic_file.blend');
    const original = await sha256File(blend!);
    const { report } = await blender(box, blend!, ['archive']);
    t.same(report.operator, ['FINISHED']);
    const ev = report.events.find((e) => e.method === 'blend.archive');
    t.ok(ev?.archive, 'the daemon answered with an archive');
    t.same(ev!.missing, []);
    t.same(ev!.params.dependencies, [path.join(box.work, 'basic_file.blend')], 'the linked library is the one dependency');
    t.equal(ev!.params.blend, blend, 'the original is what the daemon hashes and records');

    const entries = await zipEntries(ev!.archive);
    const names = [...entries.keys()];
    t.ok(names.includes('basic_file.blend'), `library beside the .blend in the zip (${names.join(', ')})`);
    t.ok(names.includes('linked_cube.blend'), `the licensed copy is at the zip root under the original's name (${names.join(', ')})`);
    t.notOk(names.some((n) => n.startsWith('/') || n.includes('..')), 'no absolute or escaping entry names');
    const copy = entries.get('linked_cube.blend')!;
    t.ok(copy.includes('Article 4(3) of Directive (EU) 2019/790'), 'the copy holds the daemon\'s LICENSE text as a text datablock');
    t.ok(copy.includes('Jane Artist'), 'the LICENSE text and the scene properties name the profile\'s creator');
    t.ok(copy.includes('colophon_data_mining'), 'the copy holds the rights custom properties');
    t.match(entries.get('LICENSE.txt')!.toString('utf8'), /Creator: Jane Artist/, 'LICENSE.txt names the profile\'s creator');
    t.equal(entries.get('basic_file.blend')!.length, (await fs.stat(path.join(box.work, 'basic_file.blend'))).size);
    const manifestText = entries.get('manifest.json')!.toString('utf8');
    t.notOk(manifestText.includes(box.root) || /"\/(home|tmp|Users)\//.test(manifestText), 'the manifest names no absolute path');
    t.notMatch(manifestText, /\{year\}|\{creator\}/, 'templates are expanded');
    t.match(JSON.parse(manifestText).rights.copyright, /^© \d{4} Jane Artist\./);
    t.same(report.textsAfter, report.textsBefore, 'the open file is left without the LICENSE text');
    t.ok(report.folderUnchanged, 'nothing beside the original was written or touched');
    t.same(report.spoolArchives, [], 'the temporary copy is gone once the daemon answered');

    const recorded = (await ledger(box)).filter((e) => e.type === 'asset.recorded' && e.data.source === 'archive' && e.data.input.path === blend);
    t.equal(recorded.length, 1);
    t.equal(recorded[0]!.data.input.sha256, original.sha256, 'the ledger names the original\'s SHA-256 as on disk');
    t.equal(recorded[0]!.data.assetId, original.sha256.slice(0, 16));
    t.equal(recorded[0]!.data.outputs[0].path, ev!.archive, 'and the archive zip');
    t.notMatch(JSON.stringify(recorded[0]), /spool/, 'the temporary copy appears nowhere');
    const cli = (args: string[]) => run(process.execPath, [path.join(REPO, 'bin', 'colophon.js'), ...args], { env: { ...process.env, COLOPHON_HOME: box.home }, cwd: box.work });
    const shown = await cli(['ledger', 'show', original.sha256, '--json']);
    t.ok((JSON.parse(shown.stdout) as { entries: Array<{ seq: number }> }).entries.some((e) => e.seq === recorded[0]!.seq), 'colophon ledger show <sha256 of the original> finds it');
    const evidence = await cli(['evidence', 'linked_cube.blend', '--out', path.join(box.work, 'evidence.html')]);
    t.ok(existsSync(path.join(box.work, 'evidence.html')), `colophon evidence linked_cube.blend finds it (${evidence.stderr.trim()})`);

    const again = await blender(box, blend!, ['archive']);
    const ev2 = again.report.events.find((e) => e.method === 'blend.archive');
    // The add-on's licensed copy is saved anew each time, so the zip differs; it lands beside the first one, which
    // older ledger entries still name, and is never written over it.
    t.equal(path.dirname(ev2?.archive ?? ''), path.dirname(ev!.archive), 'archiving the same bytes again gives the same assetId and place');
    t.ok(existsSync(ev!.archive) && existsSync(ev2!.archive), 'the first archive is kept beside the second');
  });

  t.test('(c) Archive .blend keeps a compressed .blend compressed', async (t) => {
    const [blend] = await fixtureBlend(box, 'basic_file_compressed_zstd.blend');
    const { report } = await blender(box, blend!, ['archive']);
    const ev = report.events.find((e) => e.method === 'blend.archive');
    t.ok(ev?.archive, 'archive made');
    const inner = (await zipEntries(ev!.archive)).get('basic_file_compressed_zstd.blend')!;
    t.same([...inner.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd], 'the copy in the zip is zstd-compressed like the original');
    t.ok(inner.length < 2 * (await fs.stat(blend!)).size, `about the original's size (${inner.length} bytes)`);
  });

  t.test('(c) Archive .blend expands UDIM tiles and image sequences', async (t) => {
    const folder = path.join(box.work, 'tiles');
    for (const sub of ['tex', 'seq']) await fs.mkdir(path.join(folder, sub), { recursive: true });
    const png = (file: string, r: number) => sharp({ create: { width: 16, height: 16, channels: 3, background: { r, g: 90, b: 40 } } }).png().toFile(file);
    await png(path.join(folder, 'tex', 'wood.1001.png'), 10);
    await png(path.join(folder, 'tex', 'wood.1002.png'), 20);
    for (const n of [1, 2, 3]) await png(path.join(folder, 'seq', `smoke_000${n}.png`), 30 * n);
    const [blend] = await fixtureBlend(box, 'basic_file.blend');
    const { report } = await blender(box, blend!, ['archive-tiles', folder]);
    t.same(report.operator, ['FINISHED']);
    const ev = report.events.find((e) => e.method === 'blend.archive');
    t.ok(ev?.archive, 'archive made');
    t.same(ev!.missing, []);
    const names = [...(await zipEntries(ev!.archive)).keys()];
    for (const n of ['tex/wood.1001.png', 'tex/wood.1002.png', 'seq/smoke_0001.png', 'seq/smoke_0002.png', 'seq/smoke_0003.png']) {
      t.ok(names.includes(n), `${n} in the zip under its relative path`);
    }
    t.notOk(names.some((n) => n.includes('<UDIM>')), 'no unexpanded UDIM token');
  });

  t.test('Export Public Preview on a UDIM image (one preview per tile) and on an image sequence (the current frame)', async (t) => {
    const folder = path.join(box.work, 'export-tiles');
    for (const sub of ['tex', 'seq']) await fs.mkdir(path.join(folder, sub), { recursive: true });
    const png = (file: string, r: number) => sharp({ create: { width: 16, height: 16, channels: 3, background: { r, g: 90, b: 40 } } }).png().toFile(file);
    await png(path.join(folder, 'tex', 'wood.1001.png'), 11);
    await png(path.join(folder, 'tex', 'wood.1002.png'), 21);
    for (const n of [1, 2, 3]) await png(path.join(folder, 'seq', `smoke_000${n}.png`), 31 * n);
    const [blend] = await fixtureBlend(box, 'basic_file.blend');
    const { report, stderr } = await blender(box, blend!, ['export-tiles', folder]);
    t.same(report.operator, [['FINISHED'], ['FINISHED']]);
    t.notMatch(stderr, /UDIM marker|Traceback/);
    const exports = report.events.filter((e) => e.method === 'preview.export');
    t.same(exports.map((e) => path.relative(folder, e.params.path)), ['tex/wood.1001.png', 'tex/wood.1002.png', 'seq/smoke_0002.png']);
    for (const e of exports) t.ok(existsSync(e.result.preview), `public preview of ${path.basename(e.params.path)}`);
  });

  t.test('(c) Archive .blend on missing_textures.blend reports the two missing files', async (t) => {
    const [blend] = await fixtureBlend(box, 'missing_textures.blend');
    const { report, stdout } = await blender(box, blend!, ['archive']);
    const ev = report.events.find((e) => e.method === 'blend.archive');
    t.ok(ev?.archive, 'an archive is still made');
    t.equal(ev!.missing.length, 2, 'two missing files');
    for (const m of ev!.missing as string[]) {
      t.notOk(existsSync(m), `${m} really is missing`);
      t.ok(stdout.includes(m) || report.messages.some(([, text]) => text.includes(m)), `${path.basename(m)} is named in the report`);
    }
  });

  t.test('Process Asset Pack: the folder goes to pack.process, progress arrives, the job finishes', async (t) => {
    const folder = path.join(box.work, 'BrickPack');
    await fs.mkdir(folder);
    for (const [i, map] of ['Brick_BaseColor', 'Brick_Normal', 'Brick_Roughness'].entries()) {
      await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 40 * i, g: 120, b: 200 - 30 * i } } })
        .png().toFile(path.join(folder, `${map}.png`));
    }
    const [blend] = await fixtureBlend(box, 'basic_file.blend');
    const { report } = await blender(box, blend!, ['pack', folder]);
    t.same(report.operator, ['FINISHED']);
    const jobs = Object.values(report.jobs as Record<string, { done: number; total: number; finished: boolean; label: string }>);
    t.equal(jobs.length, 1, 'one pack job');
    t.match(jobs[0], { finished: true, label: 'Pack BrickPack' });
    t.equal(jobs[0]!.done, jobs[0]!.total, 'progress reached the total');
    t.ok(jobs[0]!.total >= 3, 'progress counted the three maps');
    const archiveLine = (report.lastLines as string[]).find((l) => l.startsWith('archive: '));
    t.ok(archiveLine && existsSync(archiveLine.slice('archive: '.length)), 'the pack archive exists');
  });

  t.test('stamp note preference: rights in Blender\'s own metadata, never burnt in; parts registered', async (t) => {
    const [blend] = await fixtureBlend(box, 'particle.blend');
    const { report } = await blender(box, blend!, ['stamp-note']);
    t.equal(report.useStampNote, true);
    t.equal(report.useStamp, false, 'no burn-in');
    t.match(report.noteText, /© \d{4} Jane Artist\. All rights reserved\./);
    t.match(report.noteText, /DataMining: DMI-PROHIBITED/);
    const render = report.events.find((e) => e.method === 'asset.process');
    t.match(await pngText(render!.results[0].master, 'Note'), /Jane Artist.*DataMining/, 'the render (its private master) carries the note');
    t.match(report.inventory, {
      operators: ['archive_blend', 'cancel_pack', 'export_public_preview', 'open_dashboard', 'process_pack', 'reconnect'],
      panel: true,
      imageMenu: true,
    });
    t.ok((report.inventory as { handlers: string[] }).handlers.includes('on_render_write'));
    t.ok((report.inventory as { handlers: string[] }).handlers.includes('on_render_complete'));
    t.same(report.afterDisable, { handlers: 0, panel: false }, 'disabling removes every handler and class');
    t.same(report.afterEnable, { handlers: 1, panel: true }, 'enabling again adds them once');
  });
});

t.test('(d) no daemon: the render still succeeds and the add-on says the daemon is not running', { skip }, async (t) => {
  const box = await sandbox('nodaemon');
  t.teardown(() => fs.rm(box.root, { recursive: true, force: true }));
  const [blend] = await fixtureBlend(box, 'particle.blend');
  const { report, stderr } = await blender(box, blend!, ['still']);
  t.equal(report.state, 'unreachable');
  t.match(report.connection, /daemon not running — start it with `colophon serve`/);
  t.equal(report.spool.length, 1, 'the render was saved to the spool anyway');
  t.match(report.spool[0], /\.png$/);
  t.equal(report.pending, 1, 'the render waits in the outbox');
  t.match(stderr, /daemon not running — start it with `colophon serve`/, 'the console says so too');
  t.match(stderr, /1 request\(s\) not delivered before Blender quit/);
  const saved = JSON.parse(await fs.readFile(path.join(box.home, 'spool', 'pending.json'), 'utf8')) as Array<Record<string, any>>;
  t.equal(saved.length, 1, 'the unsent render is kept for the next session');
  t.equal(saved[0]!.params.source, 'f12');

  // Next session, daemon running: the saved render reaches the ledger without another render.
  const daemon = await startDaemon(box);
  t.teardown(() => daemon.stop());
  const next = await blender(box, blend!, ['idle']);
  t.equal(next.report.state, 'connected');
  const sent = next.report.events.find((e) => e.method === 'asset.process');
  t.ok(sent, 'the saved request was sent');
  t.equal(sent!.params.paths[0], path.join(box.home, 'spool', 'renders', report.spool[0]!));
  t.equal(sent!.results[0].source, 'f12');
  const recorded = (await ledger(box)).filter((e) => e.type === 'asset.recorded');
  t.equal(recorded.length, 1);
  t.equal(recorded[0]!.data.context.scene, 'Scene', 'with its scene context');
  t.notOk(existsSync(path.join(box.home, 'spool', 'pending.json')), 'the backlog file is consumed');
});

t.test('the zip from scripts/addon-zip.py installs and enables through Blender\'s own add-on installer', { skip }, async (t) => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-blender-zip-'));
  t.teardown(() => fs.rm(root, { recursive: true, force: true }));
  const { stdout: zipPath } = await run('python3', [path.join(REPO, 'scripts', 'addon-zip.py'), '--out', path.join(root, 'dist')]);
  const scripts = path.join(root, 'scripts');
  const config = path.join(root, 'config');
  await fs.mkdir(scripts);
  await fs.mkdir(config);
  const expr = [
    'import bpy, sys',
    `bpy.ops.preferences.addon_install(filepath=${JSON.stringify(zipPath.trim())})`,
    "bpy.ops.preferences.addon_enable(module='colophon')",
    "ok = hasattr(bpy.ops.colophon, 'export_public_preview') and 'colophon' in bpy.context.preferences.addons",
    "print('COLOPHON_INSTALLED', ok)",
  ].join('\n');
  const env = { ...process.env, BLENDER_USER_SCRIPTS: scripts, BLENDER_USER_CONFIG: config, COLOPHON_HOME: path.join(root, 'home') };
  const { stdout } = await run(BLENDER, ['-b', '--factory-startup', '--python-exit-code', '1', '--python-expr', expr], { env, timeout: 120_000 });
  t.match(stdout, /COLOPHON_INSTALLED True/);
  t.ok(existsSync(path.join(scripts, 'addons', 'colophon', '__init__.py')), 'installed into the user scripts folder');
});
