// Dashboard "tabs" without a browser: log in through dashboard.login and hold /api/events streams open,
// counting what arrives. Used by the tests and by `BENCH_DASHBOARD=N npm run bench -- daemon`.
import { RpcClient } from '../daemon/helpers.ts';

export interface OpenTabs {
  /** Events received so far, by event name. */
  counts: Record<string, number>;
  cookie: string;
  close(): void;
}

/** Logs in once through a one-time URL and returns the session cookie ("colophon_session=…"). */
export async function loginCookie(wsUrl: string, token: string): Promise<string> {
  const rpc = await RpcClient.connect(wsUrl, { authorization: `Bearer ${token}` });
  const reply = await rpc.call('dashboard.login', {});
  await rpc.close();
  if (reply.error != null) throw new Error(`dashboard.login failed: ${reply.error.message}`);
  const res = await fetch(reply.result.url as string, { redirect: 'manual' });
  const cookie = /colophon_session=[0-9a-f]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
  if (res.status !== 303 || cookie == null) throw new Error(`login refused: HTTP ${res.status}`);
  return cookie;
}

export async function openTabs(wsUrl: string, token: string, n: number): Promise<OpenTabs> {
  const cookie = await loginCookie(wsUrl, token);
  const base = wsUrl.replace(/^ws:/, 'http:').replace(/\/ws$/, '');
  const counts: Record<string, number> = {};
  const aborts: AbortController[] = [];
  for (let i = 0; i < n; i++) {
    const ac = new AbortController();
    aborts.push(ac);
    const res = await fetch(`${base}/api/events`, { headers: { cookie }, signal: ac.signal });
    if (res.status !== 200 || res.body == null) throw new Error(`/api/events answered HTTP ${res.status}`);
    void (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body!) {
          for (const m of decoder.decode(chunk as Uint8Array, { stream: true }).matchAll(/^event: (\S+)$/gm)) {
            counts[m[1]!] = (counts[m[1]!] ?? 0) + 1;
          }
        }
      } catch {
        // aborted by close()
      }
    })();
  }
  return { counts, cookie, close: () => aborts.forEach((a) => a.abort()) };
}
