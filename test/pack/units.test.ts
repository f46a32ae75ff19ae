import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { parseProfile } from '../../server/config.ts';
import { sha256sumLine } from '../../server/pack/archive.ts';
import { licenceText } from '../../server/licence-text.ts';
import { resolvePaths } from '../../server/paths.ts';
import { progressBar } from '../../server/pack/progress-bar.ts';
import { caseClashes, nameProblems, packNameFor } from '../../server/pack/names.ts';
import { preflight, type FileFacts } from '../../server/pack/preflight.ts';
import { groupTextureSets, splitMaterialStem } from '../../server/pack/texture-sets.ts';
import { clutterReason } from '../../server/pack/walk.ts';
import { commonTopFolder, unsafeNameReason } from '../../server/pack/zip-input.ts';

t.test('material names come from map names', async (t) => {
  t.same(splitMaterialStem('Brick_BaseColor'), { material: 'Brick', label: 'BaseColor' });
  t.same(splitMaterialStem('brick_wall_nor_gl_2k'), { material: 'brick_wall', label: 'nor gl' });
  t.same(splitMaterialStem('Metal_Roughness'), { material: 'Metal', label: 'Roughness' });
  t.same(splitMaterialStem('hero'), { material: 'hero', label: 'hero' }, 'no map token: the file is its own set');
  const sets = groupTextureSets([
    { rel: 'tex/Brick_Normal.png', abs: '/x/1', role: 'normal' },
    { rel: 'tex/Brick_BaseColor.png', abs: '/x/2', role: 'base-color' },
    { rel: 'tex/brick_roughness.png', abs: '/x/3' },
    { rel: 'other/Brick_BaseColor.png', abs: '/x/4' },
    { rel: 'Wood-diff-4k.jpg', abs: '/x/5' },
  ]);
  t.same(sets.map((s) => [s.dir, s.material, s.maps.length]), [['', 'Wood', 1], ['other', 'Brick', 1], ['tex', 'Brick', 3]]);
  t.same(sets[2]!.maps.map((m) => m.label), ['base-color', 'normal', 'roughness']);
});

t.test('portable names and case clashes', async (t) => {
  t.same(nameProblems('textures/Brick_BaseColor.png'), []);
  t.match(nameProblems('Renders/Dom Ücretsiz.png'), [/non-ASCII/, /spaces/]);
  t.match(nameProblems('a/what?.png'), [/Windows does not allow/]);
  t.match(nameProblems('con.txt'), [/reserved/]);
  t.same(caseClashes(['a/B.png', 'a/b.png', 'c.png']), [['a/B.png', 'a/b.png']]);
  t.equal(packNameFor('/x/My Pack.zip'), 'My Pack');
  t.equal(packNameFor('/x/..zip'), 'pack');
});

t.test('zip entry names: unsafe ones are named, a single top folder is the pack', async (t) => {
  t.equal(unsafeNameReason('a/b.png'), null);
  t.match(unsafeNameReason('../x'), /climbs out/);
  t.match(unsafeNameReason('a/../../x'), /climbs out/);
  t.match(unsafeNameReason('a\\..\\..\\x'), /climbs out/);
  t.match(unsafeNameReason('/etc/passwd'), /absolute/);
  t.match(unsafeNameReason('C:/Windows/x'), /absolute/);
  t.equal(commonTopFolder(['P/a.png', 'P/sub/b.png']), 'P/');
  t.equal(commonTopFolder(['P/a.png', 'b.png']), '');
  t.equal(clutterReason('__MACOSX/._a.png') != null, true);
  t.equal(clutterReason('scene.blend1') != null, true);
  t.equal(clutterReason('scene.blend'), null);
});

t.test('SHA256SUMS lines survive odd names (checked with sha256sum itself)', async (t) => {
  const dir = t.testdir();
  const names = ['plain.txt', 'with space.txt', 'back\\slash.txt', 'new\nline.txt'];
  const lines: string[] = [];
  for (const n of names) {
    await fs.writeFile(path.join(dir, n), n);
    const sha = execFileSync('sha256sum', [n], { cwd: dir, encoding: 'utf8' }).split(/\s/)[0]!.replace(/^\\/, '');
    lines.push(sha256sumLine(sha, n));
  }
  await fs.writeFile(path.join(dir, 'SUMS'), lines.join('\n') + '\n');
  const out = execFileSync('sha256sum', ['-c', 'SUMS'], { cwd: dir, encoding: 'utf8' });
  t.equal(out.match(/: OK/g)?.length, 4);
});

const render = (rel: string, w: number, h: number, preview?: [number, number]): FileFacts => ({
  rel, abs: `/p/${rel}`, bytes: 1000, processed: true, kind: 'render', width: w, height: h,
  ...(preview ? { preview: { width: preview[0], height: preview[1] } } : {}),
});

t.test('pre-flight rules differ per market', async (t) => {
  const files = [render('a.png', 1920, 1080, [1600, 900]), render('b.png', 800, 600, [800, 600])];
  const ids = (market: Parameters<typeof preflight>[0]['market'], watermarked = true) =>
    preflight({ market, files, root: '/p', blendDeps: null, watermarked, reservedNames: [] }).findings;
  t.match(ids('superhive').find((f) => f.id === 'preview-count'), { severity: 'fail', message: /at least 5/ });
  t.match(ids('superhive').find((f) => f.id === 'preview-too-small'), { files: ['b.png'] });
  t.notOk(ids('generic').some((f) => f.id === 'preview-count'), 'generic has no preview minimum');
  const gumroad = preflight({ market: 'gumroad', files: [files[1]!], root: '/p', blendDeps: null, watermarked: true, reservedNames: [] });
  t.match(gumroad.findings.find((f) => f.id === 'preview-count'), { severity: 'warning', message: /recommends/ }, 'Gumroad only recommends a 1280×720 cover');
  t.notOk(ids('gumroad').some((f) => f.id === 'preview-count'), 'a 1600×900 preview satisfies Gumroad');
  t.match(ids('pond5', true).find((f) => f.id === 'watermark-forbidden'), { severity: 'fail' });
  t.match(ids('pond5', false).find((f) => f.id === 'watermark-forbidden'), { severity: 'info' });
  t.match(ids('pond5').find((f) => f.id === 'preview-count'), { severity: 'fail', message: /at least 3.*this pack has 2/ }, 'two renders of 400 px or more are below Pond5\'s 3');
  const big: FileFacts = { rel: 'huge.blend', abs: '/p/huge.blend', bytes: 6 * 1024 ** 3, processed: true, kind: 'blend' };
  const sh = preflight({ market: 'superhive', files: [big], root: '/p', blendDeps: null, watermarked: true, reservedNames: [] });
  t.match(sh.findings.find((f) => f.id === 'file-too-large'), { severity: 'fail', files: [/huge\.blend/] });
  t.match(sh.notChecked, [/not checked: blender not found/]);
  const gen = preflight({ market: 'generic', files: [big], root: '/p', blendDeps: null, watermarked: true, reservedNames: [] });
  t.notOk(gen.findings.some((f) => f.id === 'file-too-large'), 'generic has no size limit');
  const abs = preflight({
    market: 'generic', files: [big], root: '/p', watermarked: true, reservedNames: [],
    blendDeps: new Map([['huge.blend', { opened: true, paths: [{ raw: '/home/me/tex.png', absolute: true, exists: true, resolved: '/home/me/tex.png' }], libraries: [] }]]),
  });
  t.match(abs.findings.find((f) => f.id === 'blend-absolute-paths'), { severity: 'fail', files: ['huge.blend → /home/me/tex.png'] });
  t.match(abs.findings.find((f) => f.id === 'blend-outside-pack'), { files: ['huge.blend → /home/me/tex.png'] });
});

t.test('the progress bar stays quiet when asked to or when stderr is not a terminal', async (t) => {
  t.equal(progressBar(false).onProgress, undefined, 'off with --json');
  const tty = process.stderr.isTTY;
  t.teardown(() => {
    process.stderr.isTTY = tty;
  });
  process.stderr.isTTY = false;
  t.equal(progressBar(true).onProgress, undefined, 'off when stderr is a pipe or a log file');
  process.stderr.isTTY = true;
  const bar = progressBar(true);
  t.type(bar.onProgress, 'function', 'on for a terminal');
  bar.stop();
});

t.test('LICENSE.txt reserves AI uses unless the profile allows data mining, like the .blend archive', async (t) => {
  const { profile } = parseProfile({ creator: { name: 'Jane' } }, 'test', resolvePaths({ COLOPHON_HOME: '/tmp/unused' }));
  const reserved = licenceText(profile, 'BrickPack', new Date('2026-01-01'));
  for (const words of ['AI/ML', 'dataset creation', 'fine-tuning', 'embeddings', 'synthetic outputs', 'Article 4(3)']) t.match(reserved, words);
  const allowed = licenceText({ ...profile, dataMining: 'DMI-ALLOWED' }, 'BrickPack', new Date('2026-01-01'));
  t.notMatch(allowed, /RESERVATION OF RIGHTS/);
  t.match(allowed, /allows text and data mining/);
  t.match(allowed, /DMI-ALLOWED/, 'the machine-readable setting is still named');
});
