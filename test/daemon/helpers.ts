// Shared by the daemon tests: a real daemon on a free port and a real `ws` client.
import { rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startDaemon, type DaemonOptions, type RunningDaemon } from '../../server/daemon/daemon.ts';

export interface RpcReply {
  jsonrpc: '2.0';
  id: string | number | null;
  result?: any;
  error?: { code: number; message: string; data?: { key: string; path?: string } };
}
export interface RpcNote {
  jsonrpc: '2.0';
  method: string;
  params: any;
}

const homes: string[] = [];
process.once('exit', () => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

/** A fresh COLOPHON_HOME, removed when the test process exits. */
export async function tempHome(prefix = 'colophon-daemon-'): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  homes.push(dir);
  return dir;
}

/** A daemon with its own COLOPHON_HOME (and a profile with a creator), logging nothing. */
export async function startTestDaemon(home: string, opts: DaemonOptions = {}): Promise<RunningDaemon & { token: string; home: string }> {
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ creator: { name: 'Test Artist' } }));
  const d = await startDaemon({ env: { COLOPHON_HOME: home }, port: 0, logger: false, ...opts });
  const token = (await fs.readFile(path.join(home, 'token'), 'utf8')).trim();
  return Object.assign(d, { token, home });
}

/** A JSON-RPC client over a real WebSocket; replies matched by id, notifications collected. */
export class RpcClient {
  readonly ws: WebSocket;
  readonly notes: RpcNote[] = [];
  /** Replies with id null (parse errors and the like), in arrival order. */
  readonly orphans: RpcReply[] = [];
  /** Every reply per id, so a test can prove each request got exactly one. */
  readonly replyCount = new Map<string | number, number>();
  private readonly pending = new Map<string | number, (r: RpcReply) => void>();
  private readonly waiters: Array<() => void> = [];
  private nextId = 1;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as RpcReply & RpcNote;
      if ('method' in msg && !('id' in msg)) this.notes.push(msg);
      else if (msg.id == null) this.orphans.push(msg);
      else {
        this.replyCount.set(msg.id, (this.replyCount.get(msg.id) ?? 0) + 1);
        const resolve = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        resolve?.(msg);
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static connect(url: string, headers: Record<string, string>): Promise<RpcClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => resolve(new RpcClient(ws)));
      ws.once('unexpected-response', (req, res) => {
        // With this listener ws leaves the refused HTTP request open; end it so nothing lingers.
        req.destroy();
        reject(Object.assign(new Error(`upgrade refused: HTTP ${res.statusCode}`), { status: res.statusCode }));
      });
      ws.once('error', reject);
    });
  }

  static forDaemon(d: { url: string; token: string }): Promise<RpcClient> {
    return RpcClient.connect(d.url, { authorization: `Bearer ${d.token}` });
  }

  call(method: string, params?: unknown): Promise<RpcReply> {
    const id = this.nextId++;
    return this.send({ jsonrpc: '2.0', id, method, ...(params !== undefined ? { params } : {}) }, id);
  }

  /** Sends any JSON value; resolves with the reply to `id`. */
  send(message: unknown, id: string | number): Promise<RpcReply> {
    const p = new Promise<RpcReply>((resolve) => this.pending.set(id, resolve));
    this.ws.send(JSON.stringify(message));
    return p;
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  async until(pred: () => boolean, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for a message');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** Every file under `dir`, relative, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(path.relative(dir, p));
    }
  }
  await walk(dir);
  return out.sort();
}
