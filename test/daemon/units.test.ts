import path from 'node:path';
import t from 'tap';
import { entryNameFor, externalEntryName, resolveDependency, worthCompressing } from '../../server/archive/entries.ts';
import { licenceText } from '../../server/licence-text.ts';
import { JobQueue } from '../../server/daemon/jobs.ts';
import { bearerMatches, hostAllowed, originAllowed } from '../../server/daemon/security.ts';
import { ColophonError } from '../../server/errors.ts';
import { parseProfile } from '../../server/config.ts';
import { resolvePaths } from '../../server/paths.ts';

/** The stable key of what `fn` throws (or of the rejection), or null. */
function thrownKey(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return (err as ColophonError).key ?? null;
  }
}
async function rejectionKey(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (err) {
    return (err as ColophonError).key ?? null;
  }
}

const gate = () => {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
};

t.test('job queue: concurrency, BUSY past the limit, cancel waiting and running jobs', async (t) => {
  const q = new JobQueue({ concurrency: 1, limit: 3 });
  const g = gate();
  const seen: string[] = [];
  const a = q.submit('conn-a', async ({ signal }) => {
    seen.push('a started');
    await g.p;
    return signal.aborted ? 'a aborted' : 'a done';
  });
  const b = q.submit('conn-a', async () => {
    seen.push('b started');
    return 'b';
  });
  const c = q.submit('conn-b', async () => 'c');
  t.equal(thrownKey(() => q.submit('conn-b', async () => 'd')), 'BUSY', 'past the limit: BUSY');
  t.same(seen, ['a started'], 'only one runs at a time');
  t.equal(thrownKey(() => q.cancel(b.jobId, 'conn-b')), 'JOB_NOT_FOUND', 'another connection cannot cancel it');
  t.equal(q.cancel(b.jobId, 'conn-a'), true);
  t.equal(await rejectionKey(b.done), 'CANCELLED', 'a waiting job that is cancelled never starts');
  t.equal(q.cancel(a.jobId, 'conn-a'), true, 'a running job gets its signal aborted');
  g.open();
  t.equal(await a.done, 'a aborted');
  t.equal(await c.done, 'c', 'the queue moves on');
  t.equal(q.cancel(a.jobId, 'conn-a'), false, 'cancelling a finished job says false');
  t.notOk(seen.includes('b started'));
  t.equal(q.size, 0);
});

t.test('job queue: a connection going away cancels its jobs; close refuses new ones', async (t) => {
  const q = new JobQueue({ concurrency: 1, limit: 10 });
  const g = gate();
  const running = q.submit('gone', async ({ signal }) => {
    await g.p;
    signal.throwIfAborted();
    return 1;
  });
  const waiting = q.submit('gone', async () => 2);
  const other = q.submit('stays', async () => 3);
  t.equal(q.cancelOwner('gone'), 2);
  g.open();
  t.equal(await rejectionKey(running.done), 'CANCELLED', 'the running job saw its signal');
  t.equal(await rejectionKey(waiting.done), 'CANCELLED');
  t.equal(await other.done, 3);
  await q.close();
  t.equal(thrownKey(() => q.submit('x', async () => 0)), 'BUSY');
});

t.test('zip entry names never escape the archive', async (t) => {
  const dir = '/home/jane/scene';
  t.equal(entryNameFor('/home/jane/scene/textures/a.png', dir), 'textures/a.png');
  t.equal(entryNameFor('/home/jane/scene/..odd/a.png', dir), '..odd/a.png', 'a folder named "..odd" is inside');
  t.equal(entryNameFor('/home/jane/other/a.png', dir), 'external/home/jane/other/a.png');
  t.equal(entryNameFor('/home/jane/scene', dir), 'external/home/jane/scene');
  t.equal(externalEntryName('C:\\Users\\jane\\wood?.png'), 'external/C_/Users/jane/wood_.png');
  t.equal(resolveDependency('//textures/../../x.png', dir), '/home/jane/x.png');
  t.equal(resolveDependency('rel/x.png', dir), '/home/jane/scene/rel/x.png');
  for (const p of ['/a/../../etc/passwd', '//../../etc/passwd', 'C:\\..\\x']) {
    const e = entryNameFor(resolveDependency(p, dir), dir);
    t.notOk(e.split('/').includes('..') || e.startsWith('/'), `${p} → ${e}`);
  }
  t.equal(worthCompressing('a.blend'), true);
  t.equal(worthCompressing('a.EXR'), false);
});

t.test('LICENSE text reserves AI uses unless the profile allows data mining', async (t) => {
  const paths = resolvePaths({ COLOPHON_HOME: '/tmp/x' });
  const { profile } = parseProfile({ creator: { name: 'Jane', email: 'jane@example.com' } }, 'test', paths);
  const text = licenceText(profile, 'scene.blend', new Date('2026-01-01'));
  t.match(text, /© 2026 Jane/);
  t.match(text, /<jane@example\.com>/);
  t.match(text, /Article 4\(3\) of Directive \(EU\) 2019\/790/);
  const allowed = licenceText({ ...profile, dataMining: 'DMI-ALLOWED' }, 'scene.blend');
  t.notMatch(allowed, /RESERVATION OF RIGHTS/);
  t.match(allowed, /allows text and data mining/);
});

t.test('security checks', async (t) => {
  const token = 'ab'.repeat(32);
  t.ok(bearerMatches(`Bearer ${token}`, token));
  t.ok(bearerMatches(`bearer ${token}`, token), 'the scheme is case-insensitive');
  t.notOk(bearerMatches(token, token), 'the scheme is required');
  t.notOk(bearerMatches(`Bearer ${token}x`, token));
  t.notOk(bearerMatches(undefined, token));
  t.ok(hostAllowed('127.0.0.1:7717', 7717));
  t.ok(hostAllowed('localhost:7717', 7717));
  for (const h of ['127.0.0.1', 'localhost', '127.0.0.1:7718', 'evil.example:7717', '0.0.0.0:7717', '[::1]:7717']) {
    t.notOk(hostAllowed(h, 7717), `Host ${h} refused`);
  }
  t.ok(originAllowed(undefined, []));
  t.notOk(originAllowed('null', []), 'the "null" origin of a sandboxed page is refused too');
  t.ok(originAllowed('http://127.0.0.1:3000', ['http://127.0.0.1:3000']));
  t.equal(path.sep, '/');
});
