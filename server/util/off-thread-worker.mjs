// Entry of the off-thread pool's worker threads (see off-thread.ts). Plain JavaScript because a new thread does
// not inherit tsx's loader; it registers tsx, then runs the named export of the named module. Failures come
// back as data, so the main thread can rebuild a ColophonError with its key (structured clone drops it).
import { register } from 'tsx/esm/api';

register();

export default async function run({ module, fn, args }) {
  try {
    const mod = await import(module);
    return { ok: true, value: await mod[fn](...args) };
  } catch (err) {
    const e = err ?? {};
    return { ok: false, error: { name: e.name, message: e.message ?? String(err), key: e.key, code: e.code, path: e.path } };
  }
}
