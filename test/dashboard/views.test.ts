// What the pages are built from: weekly counts, coverage, the publication timeline, anchor age, search.
import path from 'node:path';
import t from 'tap';
import { loadAssetIndex } from '../../server/evidence/assets.ts';
import { Ledger } from '../../server/ledger/ledger.ts';
import { assetCards, ledgerView, overview } from '../../server/dashboard/views.ts';
import { tempHome } from '../daemon/helpers.ts';

const sha = (c: string) => c.repeat(64);
// Whole asset.recorded data (the index reads it through its schema and leaves out entries that do not parse).
const recorded = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
  assetId: id,
  source: 'cli',
  input: { path: `/art/${name}`, sha256: sha(id[0]!), bytes: 10, kind: 'render', sourceRich: false, format: 'png' },
  outputs: [
    { path: `/out/public/${id}/x.preview.jpg`, visibility: 'public', purpose: 'preview', sha256: sha('9'), bytes: 5 },
    { path: `/out/private/${id}/${name}`, visibility: 'private', purpose: 'master', sha256: sha('8'), bytes: 10 },
  ],
  creator: { name: 'Jane Artist' },
  dataMining: 'DMI-PROHIBITED-AIMLTRAINING',
  licence: { name: 'All rights reserved' },
  noticeVersion: '1',
  termsVersion: '1',
  ...extra,
});

t.test('overview, search and the ledger view', async (t) => {
  const ledger = new Ledger(path.join(await tempHome('colophon-dash-views-'), 'ledger.jsonl'));
  const now = new Date('2026-12-02T12:00:00Z'); // a Wednesday
  await ledger.append('asset.recorded', recorded('aaaaaaaaaaaaaaaa', 'castle.png'), new Date('2026-11-30T09:00:00Z')); // this week (Monday)
  await ledger.append('asset.recorded', recorded('bbbbbbbbbbbbbbbb', 'shrine.png'), new Date('2026-11-29T23:00:00Z')); // last week (Sunday)
  await ledger.append('asset.recorded', {
    ...recorded('cccccccccccccccc', 'rust_normal.png'),
    input: { path: '/art/rust_normal.png', sha256: sha('c'), bytes: 10, kind: 'texture', role: 'normal', sourceRich: true, format: 'png' },
    outputs: [{ path: '/out/private/cccccccccccccccc/rust_normal.png', visibility: 'private', purpose: 'master', sha256: sha('7'), bytes: 10 }, { path: '/out/private/cccccccccccccccc/rust_normal.png.xmp', visibility: 'private', purpose: 'sidecar', sha256: sha('6'), bytes: 3 }],
    dataMining: 'DMI-ALLOWED',
  }, new Date('2025-01-01T00:00:00Z')); // long ago: outside the chart
  await ledger.append('asset.published', { assetId: 'aaaaaaaaaaaaaaaa', sha256: sha('a'), where: 'ArtStation', url: 'https://a.example/1', date: '2026-11-20' });
  await ledger.append('asset.published', { assetId: 'aaaaaaaaaaaaaaaa', sha256: sha('a'), where: 'Mastodon', url: 'https://m.example/1', date: '2026-12-01' });
  const index = await loadAssetIndex(ledger);

  const ov = await overview(index, now);
  t.equal(ov.perWeek.length, 12);
  t.same(ov.perWeek.at(-1), { week: '2026-11-30', count: 1 }, 'this week starts on Monday 30 Nov');
  t.same(ov.perWeek.at(-2), { week: '2026-11-23', count: 1 }, 'Sunday belongs to the week before');
  t.equal(ov.perWeek.reduce((n, w) => n + w.count, 0), 2, 'old assets fall outside the chart');
  t.same(ov.coverage, { total: 3, rights: 3, dataMining: 2, credential: 0, preview: 2, previewable: 2, published: 1 });
  t.same(ov.timeline.map((p) => p.where), ['Mastodon', 'ArtStation'], 'newest publication first');

  const all = await assetCards(index);
  t.same(all.cards.map((c) => c.name), ['rust_normal.png', 'shrine.png', 'castle.png'], 'newest recorded first');
  const tex = all.cards[0]!;
  t.match(tex, { kind: 'texture', role: 'normal', hasPreview: false, sourceRich: true, protections: { rights: 'sidecar', dataMining: 'DMI-ALLOWED', credential: false } });
  t.equal(all.cards[2]!.publicDir, '/out/public/aaaaaaaaaaaaaaaa');
  t.equal(all.cards[2]!.privateDir, '/out/private/aaaaaaaaaaaaaaaa');
  t.equal((await assetCards(index, 'SHRINE')).total, 1, 'by name, any case');
  t.equal((await assetCards(index, 'cccc')).total, 1, 'by assetId prefix');
  t.equal((await assetCards(index, sha('8').slice(0, 12))).total, 2, 'by the SHA-256 of an output');
  t.equal((await assetCards(index, 'nothing-like-it')).total, 0);

  const none = ledgerView(index.all, await ledger.verify(), now);
  t.equal(none.lastAnchor, null);
  t.equal(none.sinceAnchor, 5, 'nothing is covered without an anchor');
  await ledger.append('ledger.anchored', {
    anchoredSeq: 3, anchoredHash: index.all[3]!.hash, digestAlgorithm: 'sha256', genTime: '2026-11-01T10:00:00Z', signatureVerified: true,
    replySha256: sha('d'), reply: 'MIIB', request: 'MEEC', verifyWith: 'openssl ts -verify …',
  });
  await ledger.append('notice.changed', { kind: 'sitekit' });
  const all2 = await ledger.readAll();
  const v = ledgerView(all2, await ledger.verify(), now);
  t.match(v.lastAnchor, { anchoredSeq: 3, ageDays: 31, signatureVerified: true });
  t.equal(v.sinceAnchor, 2, 'entries 4 and 6 are not covered (the anchor entry itself does not count)');
  t.equal(v.entries, 7);
  t.equal(v.verify.ok, true);
  t.match(v.recent[0]!.what, /^site notices regenerated/, 'latest entry first, in words');
  t.same(v.byType, { 'asset.recorded': 3, 'asset.published': 2, 'ledger.anchored': 1, 'notice.changed': 1 });
});
