import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import WebSocket from 'ws';
import type { ResultOf } from '../../protocol/src/registry.ts';
import { liveDaemon } from '../daemon/discovery.ts';
import { ColophonError } from '../errors.ts';
import type { ColophonPaths } from '../paths.ts';

/** Asks the running daemon (over its token-authenticated WebSocket) for a one-time dashboard login URL. */
export async function requestLoginUrl(paths: ColophonPaths, timeoutMs = 10_000): Promise<ResultOf<'dashboard.login'>> {
  const info = await liveDaemon(paths.daemonInfo);
  if (info == null) {
    throw new ColophonError(
      'FILE_NOT_FOUND',
      `No Colophon daemon is running for ${paths.configDir}. Start it with \`colophon serve\` (or open Blender with the add-on), then run this again.`,
    );
  }
  const token = (await fs.readFile(paths.token, 'utf8')).trim();
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(info.url, { headers: { authorization: `Bearer ${token}` } });
    const timer = setTimeout(() => finish(new ColophonError('BUSY', `The daemon at ${info.url} did not answer within ${timeoutMs / 1000} s. Try again.`)), timeoutMs);
    const finish = (err: Error | null, value?: ResultOf<'dashboard.login'>) => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.close();
      if (err != null) reject(err);
      else resolve(value!);
    };
    ws.once('open', () => ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'dashboard.login', params: {} })));
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as { id?: unknown; result?: ResultOf<'dashboard.login'>; error?: { message: string } };
      if (msg.id !== 1) return;
      if (msg.error != null) finish(new ColophonError('NOT_IMPLEMENTED', `The daemon refused: ${msg.error.message}`));
      else finish(null, msg.result);
    });
    ws.once('unexpected-response', (req, res) => {
      req.destroy();
      finish(new ColophonError('PATH_NOT_ALLOWED', `The daemon refused the connection (HTTP ${res.statusCode}). Check ${paths.token} belongs to this daemon.`));
    });
    ws.once('error', (err) => finish(new ColophonError('FILE_NOT_FOUND', `Cannot reach the daemon at ${info.url}: ${err.message}.`)));
  });
}

/** The desktop's "open this URL" command; null where there is no desktop to open it on. */
export function browserCommand(platform = process.platform, env = process.env): [string, string[]] | null {
  if (platform === 'darwin') return ['open', []];
  // `start "" URL`: the empty first argument is the window title (node quotes it as ""). The URL has no & to escape.
  if (platform === 'win32') return ['cmd', ['/c', 'start', '']];
  if (env.DISPLAY == null && env.WAYLAND_DISPLAY == null) return null;
  return ['xdg-open', []];
}

/** Starts the browser without waiting for it; false when there is no way to (the caller prints the URL). */
export function openInBrowser(url: string): Promise<boolean> {
  const cmd = browserCommand();
  if (cmd == null) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(cmd[0], [...cmd[1], url], { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
