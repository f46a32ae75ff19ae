// Background (farm) renders of a real artist's file with Blender's own command line: `blender -b scene.blend -f 1`,
// `-s 2 -e 2 -a`, `-a`, and `bpy.ops.render.render(...)` from a script. The add-on is enabled in the sandbox's
// user preferences (as an artist enables it once), so the commands are exactly what a farm runs. Each written
// frame must reach the real daemon once: one asset.recorded with the scene context, a public preview, and for
// EXR a private master byte-identical to the file Blender wrote.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import sharp from 'sharp';
import { BLENDER, blenderEnv, fixtureBlend, ledger, onPath, sandbox, startDaemon, type Sandbox } from './harness.ts';

const run = promisify(execFile);
const skip = !onPath(BLENDER) ? 'blender not installed' : false;

async function blender(box: Sandbox, cwd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(BLENDER, args, { cwd, env: blenderEnv(box), timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
}

/** linked_cube.blend (with its library) given a camera, a light and the output settings, saved as scene.blend in a fresh folder. */
async function artistScene(box: Sandbox, name: string, format: string): Promise<{ dir: string; blend: string; out: string }> {
  const dir = path.join(box.work, name);
  await fs.mkdir(path.join(dir, 'renders'), { recursive: true });
  const [original] = await fixtureBlend(box, 'linked_cube.blend', 'basic_file.blend');
  await fs.copyFile(original!, path.join(dir, 'linked_cube.blend'));
  await fs.copyFile(path.join(box.work, 'basic_file.blend'), path.join(dir, 'basic_file.blend'));
  const blend = path.join(dir, 'scene.blend');
  const out = path.join(dir, 'renders');
  await run(BLENDER, ['-b', '--factory-startup', '--python-exit-code', '1', path.join(dir, 'linked_cube.blend'),
    '--python', path.join(import.meta.dirname, 'setup_scene.py'), '--', path.join(out, 'frame_'), format, blend],
  { env: blenderEnv(box), timeout: 120_000 });
  return { dir, blend, out };
}

async function recordedFor(box: Sandbox, blend: string) {
  return (await ledger(box)).filter((e) => e.type === 'asset.recorded' && e.data.context?.blendFile === blend);
}

/** Mean brightness (0..255) of the colour channels. */
async function mean(file: string): Promise<number> {
  const [{ channels }, { depth }] = await Promise.all([sharp(file).stats(), sharp(file).metadata()]);
  return (channels[0]!.mean + channels[1]!.mean + channels[2]!.mean) / 3 / (depth === 'ushort' ? 257 : 1);
}

async function sameBytes(a: string, b: string): Promise<boolean> {
  return Buffer.compare(await fs.readFile(a), await fs.readFile(b)) === 0;
}

t.test('background renders of linked_cube.blend reach the daemon once per written frame', { skip }, async (t) => {
  const box = await sandbox('background');
  const daemon = await startDaemon(box);
  t.teardown(async () => {
    await daemon.stop();
    await fs.rm(box.root, { recursive: true, force: true });
  });
  const enabled = await run(BLENDER, ['-b', '--python-exit-code', '1', '--python', path.join(import.meta.dirname, 'enable_addon.py')],
    { env: blenderEnv(box), timeout: 120_000 });
  t.match(enabled.stdout, /COLOPHON_ENABLED True/, 'the add-on is enabled in the user preferences');

  const cases: Array<{ name: string; format: string; args: (blend: string) => string[]; frames: number[]; ext: string }> = [
    { name: 'still-png', format: 'PNG', args: (b) => ['-b', b, '-f', '1'], frames: [1], ext: '.png' },
    { name: 'one-frame-animation', format: 'PNG', args: (b) => ['-b', b, '-s', '2', '-e', '2', '-a'], frames: [2], ext: '.png' },
    { name: 'animation-exr', format: 'OPEN_EXR', args: (b) => ['-b', b, '-a'], frames: [1, 2, 3], ext: '.exr' },
    { name: 'still-multilayer', format: 'OPEN_EXR_MULTILAYER', args: (b) => ['-b', b, '-f', '1'], frames: [1], ext: '.exr' },
    {
      name: 'script-animation', format: 'PNG', frames: [1, 2, 3], ext: '.png',
      args: (b) => ['-b', b, '--python-exit-code', '1', '--python-expr', 'import bpy; bpy.ops.render.render(animation=True)'],
    },
    {
      name: 'script-write-still', format: 'JPEG', frames: [1], ext: '.jpg',
      args: (b) => ['-b', b, '--python-exit-code', '1', '--python-expr', 'import bpy; bpy.ops.render.render(write_still=True)'],
    },
  ];
  let pngLook: number | null = null; // Blender's own PNG of the still: the look every preview must keep
  for (const c of cases) {
    t.test(`${c.name}: blender ${c.args('scene.blend').join(' ')}`, async (t) => {
      const { dir, blend, out } = await artistScene(box, c.name, c.format);
      const { stdout, stderr } = await blender(box, dir, c.args(blend));
      t.notMatch(stdout + stderr, /Traceback/, 'no Python traceback');
      const written = (await fs.readdir(out)).sort();
      t.equal(written.length, c.frames.length, `Blender wrote ${c.frames.length} file(s): ${written.join(', ')}`);
      const recorded = await recordedFor(box, blend);
      t.equal(recorded.length, written.length, 'exactly one asset.recorded per written frame');
      t.same(recorded.map((e) => e.data.context.frame).sort(), c.frames, 'one per frame, each frame once');
      const source = c.frames.length > 1 ? 'animation' : 'f12';
      for (const e of recorded) {
        const d = e.data;
        const file = path.join(out, written.find((w) => w === path.basename(d.input.path)) ?? '?');
        t.equal(d.input.path, file, `frame ${d.context.frame}: the file Blender wrote is the input`);
        t.equal(d.source, source);
        t.match(d.context, { blendFile: blend, scene: 'Scene', camera: 'Camera', engine: 'CYCLES', samples: 2, resolution: [64, 48], blenderVersion: /^3\.\d+/ });
        t.ok(d.context.renderSeconds > 0, 'render time recorded');
        const preview = d.outputs.find((o: any) => o.purpose === 'preview' && o.visibility === 'public');
        t.ok(preview && existsSync(preview.path), `frame ${d.context.frame}: public preview ${preview?.path}`);
        const master = d.outputs.find((o: any) => o.purpose === 'master' && o.visibility === 'private');
        t.ok(master && existsSync(master.path), `frame ${d.context.frame}: private master`);
        if (c.name === 'still-png') pngLook = await mean(file);
        if (c.ext === '.exr') {
          t.ok(await sameBytes(master.path, file), 'the EXR master is byte-identical to what Blender wrote');
          // Made from Blender's own display rendition (view transform and exposure), not a plain tone-map of the linear EXR.
          t.ok(pngLook != null && Math.abs((await mean(preview.path)) - pngLook) < 12,
            `the preview has the scene's look (mean ${(await mean(preview.path)).toFixed(1)} vs Blender's PNG ${pngLook?.toFixed(1)})`);
        }
        t.equal(path.extname(file), c.ext);
      }
    });
  }

  t.test('movie output: a clear line, nothing sent, no traceback', async (t) => {
    const { dir, blend } = await artistScene(box, 'movie', 'FFMPEG');
    const { stdout, stderr } = await blender(box, dir, ['-b', blend, '-s', '1', '-e', '2', '-a']);
    t.match(stderr, /Colophon: not processed: movie output \(.*\.(mkv|mp4|avi)\)/);
    t.equal((stderr.match(/not processed: movie output/g) ?? []).length, 1, 'said once per render, not per frame');
    t.notMatch(stdout + stderr, /Traceback/);
    t.same(await recordedFor(box, blend), [], 'nothing recorded');
  });
});
