import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { Reader } from '@contentauth/c2pa-node';
import { DATA_MINING_CODES } from '../../protocol/src/profile.ts';
import { CredentialReportSchema } from '../../protocol/src/credentials.ts';
import { TDM_ENTRIES, TRAINING_MINING_TABLE, trainingMiningEntries } from '../../server/c2pa/training-mining.ts';
import { signOutput } from '../../server/c2pa/sign.ts';
import { verifyCredential } from '../../server/c2pa/verify.ts';
import { rightsFromProfile } from '../../server/pipeline/stamp.ts';
import { getExifTool } from '../../server/pipeline/exiftool.ts';
import { processFile } from '../../server/pipeline/process.ts';
import { sha256File } from '../../server/util/hash.ts';
import { FIXTURES, makeEnv, makeImage } from '../helpers/pipeline-env.ts';
import { copies, hashBindingHolds, jumbfTags } from './helpers.ts';

t.test('a render: master and preview each carry a valid credential, read back by the SDK and by exiftool', async (t) => {
  const env = await makeEnv(t);
  const src = await makeImage(path.join(env.home, 'in', 'shot.png'), 640, 360);
  const r = await processFile(src, { source: 'f12' }, env);
  const master = r.outputs.find((o) => o.purpose === 'master')!;
  const preview = r.outputs.find((o) => o.purpose === 'preview')!;
  t.ok(master && preview, 'master and preview written');
  t.notOk(r.outputs.some((o) => o.path.endsWith('.c2pa')), 'PNG and JPEG embed their credential: no sidecar');

  for (const out of [master, preview]) {
    const name = path.basename(out.path);
    t.equal((await sha256File(out.path)).sha256, out.sha256, `${name}: the recorded SHA-256 is of the signed file`);

    // The project's library.
    const reader = await Reader.fromAsset({ path: out.path });
    const store = reader!.json();
    t.equal(store.validation_state, 'Valid', `${name}: valid (structure, signature, hashes)`);
    t.same(store.validation_status?.map((s: { code: string }) => s.code), ['signingCredential.untrusted'], `${name}: only the trust list is missing`);
    const active = reader!.getActive()!;
    const tm = active.assertions!.find((a: { label: string }) => a.label === 'cawg.training-mining')!.data as { entries: Record<string, { use: string }> };
    t.same(Object.keys(tm.entries).sort(), [...TDM_ENTRIES].sort(), `${name}: all four training-mining entries`);
    t.equal(tm.entries['cawg.ai_training']!.use, 'notAllowed', `${name}: AI training not allowed under the default`);
    t.equal(tm.entries['cawg.ai_generative_training']!.use, 'notAllowed');
    t.notOk(active.thumbnail, `${name}: no thumbnail unless the profile asks`);

    // exiftool's independent JUMBF/CBOR reader.
    const tags = await jumbfTags(out.path);
    const labels = copies(tags, 'JUMDLabel').map(String);
    for (const l of ['c2pa', 'c2pa.actions.v2', 'cawg.training-mining', 'c2pa.hash.data', 'cawg.metadata']) t.ok(labels.includes(l), `${name}: exiftool sees ${l}`);
    t.ok(copies(tags, 'EntriesCawgAi_TrainingUse').includes('notAllowed'), `${name}: exiftool reads cawg.ai_training = notAllowed`);
    t.ok(copies(tags, 'Dc_creator').includes('Jane Artist'), `${name}: exiftool reads the creator`);
    const binding = await hashBindingHolds(out.path);
    t.ok(binding.holds, `${name}: c2pa.hash.data matches the bytes outside the manifest`);

    // The rights XMP written before signing is still there.
    const xmp = (await getExifTool().readRaw(out.path, ['-G1', '-n', '-XMP-plus:DataMining', '-XMP-dc:Rights'])) as Record<string, unknown>;
    t.equal(xmp['XMP-plus:DataMining'], 'DMI-PROHIBITED-AIMLTRAINING', `${name}: XMP DataMining survives signing`);
    t.match(String(xmp['XMP-dc:Rights']), /Jane Artist/, `${name}: XMP rights survive signing`);
  }

  const masterActions = (await Reader.fromAsset({ path: master.path }))!.getActive()!.assertions!.find((a: { label: string }) => a.label === 'c2pa.actions.v2')!.data as { actions: Array<{ action: string; digitalSourceType?: string }> };
  t.equal(masterActions.actions[0]!.action, 'c2pa.created');
  t.equal(masterActions.actions[0]!.digitalSourceType, 'http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation');
  const pv = (await Reader.fromAsset({ path: preview.path }))!.getActive()!;
  const pvActions = (pv.assertions!.find((a: { label: string }) => a.label === 'c2pa.actions.v2')!.data as { actions: Array<{ action: string }> }).actions.map((a) => a.action);
  t.same(pvActions, ['c2pa.opened', 'c2pa.edited'], 'preview: opened from its master, then edited');
  t.equal(pv.ingredients?.[0]?.relationship, 'parentOf', 'preview: the master is its parentOf ingredient');
  t.equal(pv.ingredients?.[0]?.title, 'shot.png');
  t.ok(pv.ingredients?.[0]?.active_manifest, 'the ingredient brings the master\'s own manifest');
});

t.test('verify: an untouched preview passes; a one-byte edit fails as changed; a file without one is absent', async (t) => {
  const env = await makeEnv(t);
  const src = await makeImage(path.join(env.home, 'in', 'shot.jpg'), 800, 500, { format: 'jpeg' });
  const r = await processFile(src, { source: 'f12' }, env);
  const preview = r.outputs.find((o) => o.purpose === 'preview')!;
  const ok = await verifyCredential(preview.path, env.ledger);
  t.ok(CredentialReportSchema.safeParse(ok).success, 'matches the protocol shape');
  t.equal(ok.valid, true);
  t.equal(ok.changed, false);
  t.equal(ok.trusted, false);
  t.equal(ok.credential, 'embedded');
  t.match(ok.summary, /signer is not on the trust list/);
  t.equal(ok.signer?.name, 'Jane Artist');
  t.equal(ok.creator?.name, 'Jane Artist');
  t.equal(ok.trainingMining?.['cawg.ai_training']?.use, 'notAllowed');
  t.same(ok.ledger, { known: true, assetId: r.assetId, seq: r.ledgerSeq, recordedAt: ok.ledger?.recordedAt }, 'the ledger knows these bytes');

  const bytes = await fs.readFile(preview.path);
  const edited = path.join(env.home, 'edited.jpg');
  bytes[bytes.length - 200] = bytes[bytes.length - 200]! ^ 0x01;
  await fs.writeFile(edited, bytes);
  const bad = await verifyCredential(edited, env.ledger);
  t.equal(bad.valid, false, 'a one-byte edit is not valid');
  t.equal(bad.changed, true, 'and is reported as changed since signing');
  t.match(bad.problems.join(' '), /assertion\.dataHash\.mismatch/);
  t.equal(bad.ledger?.known, false, 'the ledger never saw the edited bytes');

  const none = await verifyCredential(src, null);
  t.equal(none.credential, 'absent');
  t.equal(none.valid, false);
});

t.test('EXR master: byte-identical copy plus a .c2pa sidecar bound to it; the preview names it as parent', async (t) => {
  const env = await makeEnv(t);
  const src = path.join(env.home, 'in', 'Carrots.exr');
  await fs.mkdir(path.dirname(src), { recursive: true });
  await fs.copyFile(path.join(FIXTURES, 'exr', 'Carrots.exr'), src);
  const r = await processFile(src, { source: 'cli', publicPreview: 'always' }, env);
  const master = r.outputs.find((o) => o.purpose === 'master')!;
  const c2pa = r.outputs.find((o) => o.path.endsWith('.exr.c2pa'));
  t.ok(c2pa, 'a .c2pa sidecar is an output');
  t.equal(c2pa!.path, `${master.path}.c2pa`, 'beside the master');
  t.equal(master.sha256, r.input.sha256, 'the master stays byte-identical');
  t.equal((await sha256File(c2pa!.path)).sha256, c2pa!.sha256, 'the sidecar\'s recorded hash is its own');

  const v = await verifyCredential(master.path, env.ledger);
  t.equal(v.credential, 'sidecar');
  t.equal(v.valid, true);
  t.equal(v.changed, false);
  t.equal((await verifyCredential(c2pa!.path, null)).path, master.path, 'passing the .c2pa checks the file it belongs to');
  const tags = await jumbfTags(c2pa!.path);
  t.ok(copies(tags, 'EntriesCawgAi_TrainingUse').includes('notAllowed'), 'exiftool reads the sidecar\'s training-mining entries');
  t.ok((await hashBindingHolds(master.path, c2pa!.path)).holds, 'the sidecar\'s c2pa.hash.data is the SHA-256 of the whole EXR');

  const copy = path.join(env.home, 'changed.exr');
  const bytes = await fs.readFile(master.path);
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x80;
  await fs.writeFile(copy, bytes);
  await fs.copyFile(c2pa!.path, `${copy}.c2pa`);
  const changed = await verifyCredential(copy, null);
  t.equal(changed.valid, false);
  t.equal(changed.changed, true, 'one flipped bit in the EXR is caught through the sidecar');

  const preview = r.outputs.find((o) => o.purpose === 'preview')!;
  const pv = (await Reader.fromAsset({ path: preview.path }))!;
  t.equal(pv.json().validation_state, 'Valid');
  t.equal(pv.getActive()!.ingredients?.[0]?.title, 'Carrots.exr', 'the preview names the EXR master as parent');
});

t.test('one table maps every PLUS code to all four CAWG entries; the XMP and the credential agree', async (t) => {
  for (const code of DATA_MINING_CODES) {
    const e = trainingMiningEntries(code, { otherConstraints: 'No AI.' });
    t.same(Object.keys(e).sort(), [...TDM_ENTRIES].sort(), `${code}: four entries`);
    for (const k of TDM_ENTRIES) {
      t.equal(e[k].use, TRAINING_MINING_TABLE[code][k]);
      if (e[k].use === 'constrained') t.ok(e[k].constraint_info, `${code} ${k}: a constrained entry says why`);
    }
  }
  t.equal(TRAINING_MINING_TABLE['DMI-ALLOWED']['cawg.ai_training'], 'allowed');
  t.equal(TRAINING_MINING_TABLE['DMI-PROHIBITED']['cawg.data_mining'], 'notAllowed');
  t.equal(TRAINING_MINING_TABLE['DMI-PROHIBITED-GENAIMLTRAINING']['cawg.ai_generative_training'], 'notAllowed');

  const env = await makeEnv(t, { creator: { name: 'Jane Artist' }, dataMining: 'DMI-ALLOWED', credentials: { thumbnail: true } });
  const src = await makeImage(path.join(env.home, 'in', 'ok.png'), 300, 200);
  const r = await processFile(src, { source: 'f12' }, env);
  const master = r.outputs.find((o) => o.purpose === 'master')!;
  const v = await verifyCredential(master.path, null);
  t.equal(v.trainingMining?.['cawg.ai_training']?.use, 'allowed', 'the profile\'s code decides the credential');
  const xmp = (await getExifTool().readRaw(master.path, ['-G1', '-n', '-XMP-plus:DataMining'])) as Record<string, unknown>;
  t.equal(xmp['XMP-plus:DataMining'], 'DMI-ALLOWED', 'and the XMP says the same');
  t.ok((await Reader.fromAsset({ path: master.path }))!.getActive()!.thumbnail, 'credentials.thumbnail: true puts a thumbnail in');
});

t.test('signing bytes in memory: a signed copy comes back and nothing is written; a refused embed gives the store for a sidecar', async (t) => {
  const env = await makeEnv(t);
  const ctx = { profile: env.profile, configDir: env.configDir! };
  const rights = rightsFromProfile(env.profile, 'digitalCreation');
  const dir = path.join(env.home, 'mem');
  await fs.mkdir(dir);
  const png = await fs.readFile(await makeImage(path.join(env.home, 'in.png'), 64, 48));

  const dest = path.join(dir, 'shot.png');
  const signed = await signOutput({ file: { bytes: png }, dest, format: 'png', role: 'master', rights }, ctx);
  t.equal(signed.embedded, true);
  t.ok(signed.bytes != null && signed.bytes.length > png.length, 'the signed bytes carry the manifest');
  t.same(await fs.readdir(dir), [], 'nothing was written');
  await fs.writeFile(dest, signed.bytes!);
  t.equal((await Reader.fromAsset({ path: dest }))!.json().validation_state, 'Valid', 'the signed bytes validate once written');

  // Not a PNG inside: the SDK cannot embed, so the credential is made for a sidecar and handed back unwritten.
  const notPng = Buffer.concat([Buffer.from('not a picture at all '), png.subarray(64)]);
  const odd = path.join(dir, 'odd.png');
  const fallback = await signOutput({ file: { bytes: notPng }, dest: odd, format: 'png', role: 'master', rights }, ctx);
  t.equal(fallback.embedded, false);
  t.equal(fallback.sidecar, `${odd}.c2pa`);
  t.ok(fallback.store != null && fallback.store.length > 0, 'the manifest store comes back');
  t.equal(fallback.bytes, notPng, 'the bytes themselves are unchanged');
  t.match(fallback.warnings.join('\n'), /could not be embedded/);
  t.same(await fs.readdir(dir), ['shot.png'], 'and the sidecar is left to the caller to write');
});
