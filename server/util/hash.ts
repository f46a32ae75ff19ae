import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { READ_INPUT_FLAGS } from './regular-file.ts';

/** Streamed SHA-256 of a file, so large EXRs and .blends never sit in memory whole. `signal` stops it part-way. */
export async function sha256File(file: string, signal?: AbortSignal): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  const fh = await fs.open(file, READ_INPUT_FLAGS);
  for await (const chunk of fh.createReadStream({ highWaterMark: 1 << 20, ...(signal != null ? { signal } : {}) })) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: h.digest('hex'), bytes };
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with object keys sorted at every level: the canonical form the ledger hashes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) {
      const val = (v as Record<string, unknown>)[k];
      if (val !== undefined) out[k] = sortKeys(val);
    }
    return out;
  }
  return v;
}

/** SHA-256 of a buffer already in memory, a slice per turn of the event loop so a large one blocks nothing. */
export async function sha256Buffer(data: Uint8Array): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  const slice = 1 << 20;
  for (let at = 0; at < data.length; at += slice) {
    h.update(data.subarray(at, at + slice));
    if (at + slice < data.length) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { sha256: h.digest('hex'), bytes: data.length };
}
