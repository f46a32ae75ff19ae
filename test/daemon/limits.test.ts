// One Limits object, validated with the profile: a limit set in config.json is the limit the daemon enforces.
import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { DEFAULT_LIMITS } from '../../protocol/src/limits.ts';
import { ProcessParamsSchema } from '../../protocol/src/methods.ts';
import { parseProfile } from '../../server/config.ts';
import { DEFAULT_LIMITS as APP_DEFAULTS } from '../../server/daemon/app.ts';
import { startDaemon } from '../../server/daemon/daemon.ts';
import { resolvePaths } from '../../server/paths.ts';
import { RpcClient, tempHome } from './helpers.ts';

t.test('a small message limit in the profile is enforced by the daemon, with a clear error', async (t) => {
  const home = await tempHome('colophon-limits-');
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ creator: { name: 'Test Artist' }, limits: { message: { maxBytes: 8192 }, concurrency: { queue: 3 }, timeouts: { exiftoolTaskMs: 45_000 } } }));
  const d = await startDaemon({ env: { COLOPHON_HOME: home }, port: 0, logger: false });
  t.teardown(() => d.close());
  t.equal(d.jobs.limit, 3, 'the queue size comes from the profile');
  t.equal(d.app.exiftool.options.taskTimeoutMillis, 45_000, 'so does the exiftool task timeout');
  const token = (await fs.readFile(path.join(home, 'token'), 'utf8')).trim();
  const c = await RpcClient.forDaemon({ url: d.url, token });
  t.teardown(() => c.close());

  const small = await c.call('asset.process', { paths: ['/nowhere/a.png'], source: 'cli' });
  t.not(small.error?.data?.key, 'TOO_LARGE', 'a message under the limit is read');
  // 20 paths of 500 characters: well inside the protocol's caps, but over the 8 KiB this profile allows.
  const paths = Array.from({ length: 20 }, (_, i) => `/art/${String(i).padStart(495, 'x')}.png`);
  c.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'asset.process', params: { paths, source: 'cli' } }));
  await c.until(() => c.orphans.length > 0);
  const refused = c.orphans[0]!;
  t.equal(refused.id, null, 'it was never read as a request');
  t.equal(refused.error?.data?.key, 'TOO_LARGE');
  t.match(refused.error?.message, /above the daemon's limit of 8192 bytes \(limits\.message\.maxBytes in config\.json\)/, 'the error names the limit and where it is set');
  t.equal((await c.call('ledger.verify', {})).result?.ok, true, 'the connection stays usable');
});

t.test('the profile\'s limits are validated with it', async (t) => {
  const paths = resolvePaths({ COLOPHON_HOME: await tempHome('colophon-limits-bad-') });
  t.throws(() => parseProfile({ limits: { message: { maxBytes: 12 } } }, 'config.json', paths), { key: 'CONFIG_INVALID', message: /limits\.message\.maxBytes/ }, 'too small');
  t.throws(() => parseProfile({ limits: { zip: { maxEntrys: 5 } } }, 'config.json', paths), { key: 'CONFIG_INVALID', message: /limits\.zip/ }, 'a misspelt limit');
  const { profile } = parseProfile({ limits: { zip: { maxEntries: 5 } } }, 'config.json', paths);
  t.equal(profile.limits.zip.maxEntries, 5);
  t.equal(profile.limits.message.maxBytes, DEFAULT_LIMITS.message.maxBytes, 'unset limits keep their defaults');
});

t.test('the WebSocket payload limit and the request schema come from the same numbers', async (t) => {
  t.equal(APP_DEFAULTS.maxPayload, DEFAULT_LIMITS.message.maxBytes);
  const max = DEFAULT_LIMITS.message.maxPaths;
  const ok = ProcessParamsSchema.safeParse({ paths: Array.from({ length: max }, () => '/a.png'), source: 'cli' });
  t.ok(ok.success, `${max} paths are accepted`);
  t.notOk(ProcessParamsSchema.safeParse({ paths: Array.from({ length: max + 1 }, () => '/a.png'), source: 'cli' }).success, 'one more is not');
  t.notOk(ProcessParamsSchema.safeParse({ paths: ['/' + 'x'.repeat(DEFAULT_LIMITS.message.maxPathChars)], source: 'cli' }).success, 'nor a path over the length cap');
});
