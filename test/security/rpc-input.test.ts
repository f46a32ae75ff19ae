// Issue 12 items 14 and 15: NUL bytes in paths and oversized integer ids get clear, exact replies.
import t from 'tap';
import { RpcClient, startTestDaemon, tempHome } from '../daemon/helpers.ts';

const d = await startTestDaemon(await tempHome('colophon-rpcin-'));
const client = await RpcClient.forDaemon(d);
t.teardown(async () => {
  await client.close();
  await d.close();
});

t.test('a NUL byte in a path is -32602 INVALID_PARAMS naming the field, not -32603', async (t) => {
  const cases: Array<[string, unknown, string]> = [
    ['asset.process', { paths: ['/tmp/a.png', '/tmp/x\0.png'] }, 'params.paths.1'],
    ['preview.export', { path: '/tmp/x\0.png' }, 'params.path'],
    ['blend.archive', { blend: '/tmp/s\0.blend', dependencies: [] }, 'params.blend'],
    ['pack.process', { path: '/tmp/\0pack' }, 'params.path'],
  ];
  for (const [method, params, at] of cases) {
    const r = await client.call(method, params);
    t.equal(r.error?.code, -32602, `${method}: ${JSON.stringify(r.error)}`);
    t.equal(r.error?.data?.key, 'INVALID_PARAMS');
    t.equal(r.error?.data?.path, at);
    t.match(r.error?.message, /NUL byte/);
  }
});

t.test('an integer id beyond 2^53 is refused with id null, never echoed rounded', async (t) => {
  for (const raw of ['12345678901234567890', '9007199254740993', '-9007199254740993', '1e300']) {
    client.sendRaw(`{"jsonrpc":"2.0","id":${raw},"method":"ledger.verify","params":{}}`);
    await client.until(() => client.orphans.length > 0);
    const r = client.orphans.shift()!;
    t.equal(r.id, null, `${raw}: no id echoed`);
    t.equal(r.error?.code, -32600);
    t.equal(r.error?.data?.path, 'id');
    t.match(r.error?.message, /string id/);
  }
  const max = Number.MAX_SAFE_INTEGER;
  const ok = await client.send({ jsonrpc: '2.0', id: max, method: 'ledger.verify', params: {} }, max);
  t.equal(ok.id, max, 'the largest exact integer still works');
  t.equal(ok.result?.ok, true);
});
