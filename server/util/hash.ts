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
