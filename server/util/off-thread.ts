// CPU-heavy pure work (EXR decoding, tone mapping, ...) runs on worker threads, so the daemon's event loop keeps
// answering other clients while a pack decodes. piscina keeps the pool; idle threads exit after a moment, so a
// CLI run still ends as soon as its work is done.
import os from 'node:os';
import { SHARE_ENV } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import type { ErrorKey } from '../../protocol/src/errors.ts';
import { ColophonError } from '../errors.ts';

type Reply = { ok: true; value: unknown } | { ok: false; error: { name?: string; message: string; key?: ErrorKey; code?: string; path?: string } };

let pool: Promise<Piscina> | null = null;

// piscina is loaded with the first job: most runs (PNG and JPEG renders) never need a worker thread.
function getPool(): Promise<Piscina> {
  pool ??= import('piscina').then(({ Piscina }) => new Piscina({
    filename: new URL('./off-thread-worker.mjs', import.meta.url).href,
    maxThreads: Math.max(1, Math.min(4, os.availableParallelism() - 1)),
    idleTimeout: 1000,
    // The workers see the same environment as the main thread (PATH decides which decoder tools are found).
    env: SHARE_ENV,
  }));
  return pool;
}

/**
 * Calls `module`'s export `fn` with `args` on a worker thread. Arguments and result are copied (structured
 * clone), so keep them small: pass file names, return 8-bit pixels rather than floats.
 */
export async function offThread<T>(module: URL, fn: string, args: unknown[]): Promise<T> {
  const reply = (await (await getPool()).run({ module: module.href, fn, args })) as Reply;
  if (reply.ok) return reply.value as T;
  const { key, message, code, path, name } = reply.error;
  if (key != null) throw new ColophonError(key, message);
  throw Object.assign(new Error(message), { name: name ?? 'Error', ...(code != null ? { code } : {}), ...(path != null ? { path } : {}) });
}

/** Stops the worker threads (the daemon does it on close); safe to call more than once. */
export async function closeOffThread(): Promise<void> {
  const p = pool;
  pool = null;
  await (await p)?.destroy();
}
