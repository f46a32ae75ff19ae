import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { processPaths, runStages } from '../../server/pipeline/process.ts';
import { Gate } from '../../server/util/gate.ts';
import { makeEnv, makeImage } from '../helpers/pipeline-env.ts';

t.test('a gate lets in as many callers as it has places, and each leave (once) lets the next one in', async (t) => {
  const gate = new Gate(2);
  const order: string[] = [];
  const leaveA = await gate.enter();
  const leaveB = await gate.enter();
  const third = gate.enter().then((leave) => {
    order.push('c entered');
    return leave;
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.same(order, [], 'a third caller waits while both places are taken');
  leaveA();
  leaveA(); // a second call gives up nothing more
  const leaveC = await third;
  t.same(order, ['c entered'], 'it enters once a place is given up');
  let fourthIn = false;
  const fourth = gate.enter().then((leave) => {
    fourthIn = true;
    return leave;
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.notOk(fourthIn, 'the repeated leave did not free a second place');
  leaveB();
  (await fourth)();
  leaveC();
});

t.test('with one file decoding at a time, failed and reused files give their place back and every file is reported', async (t) => {
  const env = await makeEnv(t, { creator: { name: 'Jane Artist' }, limits: { concurrency: { files: 1 } } });
  const dir = path.join(t.testdir(), 'renders');
  const good = await makeImage(path.join(dir, 'a.png'), 320, 240, { seed: 1 });
  await fs.copyFile(good, path.join(dir, 'b-same-as-a.png'));
  await fs.writeFile(path.join(dir, 'c-empty.png'), '');
  await fs.writeFile(path.join(dir, 'd-corrupt.png'), Buffer.concat([(await fs.readFile(good)).subarray(0, 200), Buffer.alloc(64)]));
  await makeImage(path.join(dir, 'e.png'), 320, 240, { seed: 2 });
  const starts: string[] = [];
  const report = await processPaths([dir], { source: 'cli' }, env, (_done, _total, file) => {
    if (file != null) starts.push(path.basename(file));
  });
  t.same(report.results.map((r) => path.basename(r.input.path)).sort(), ['a.png', 'b-same-as-a.png', 'e.png'], 'the good files and the duplicate are processed');
  t.same(report.errors.map((e) => path.basename(e.input)).sort(), ['c-empty.png', 'd-corrupt.png'], 'the broken ones are reported');
  t.equal(starts.length, 5, 'every file finished (none waited for a place that was never given back)');
});

t.test('a file gives up its decoding place once its picture is decoded, before its outputs are written', async (t) => {
  const env = await makeEnv(t);
  const src = await makeImage(path.join(t.testdir(), 'scene.png'), 1200, 800, { seed: 3 });
  const assetId = createHash('sha256').update(await fs.readFile(src)).digest('hex').slice(0, 16);
  const master = path.join(env.outRoot, 'private', assetId, 'scene.png');
  const preview = path.join(env.outRoot, 'public', assetId, 'scene.preview.jpg');
  const seen: Array<{ master: boolean; preview: boolean }> = [];
  const exists = (f: string) => fs.stat(f).then(() => true, () => false);
  const { result } = await runStages(src, { source: 'cli' }, env, {
    onDecoded: () => void Promise.all([exists(master), exists(preview)]).then(([m, p]) => seen.push({ master: m, preview: p })),
  });
  await new Promise((resolve) => setImmediate(resolve));
  t.same(seen, [{ master: false, preview: false }], 'called once, while neither output was on disk yet');
  t.ok(await exists(master), 'the master was written afterwards');
  t.ok(result.outputs.some((o) => o.path === preview), 'and the preview');
});
