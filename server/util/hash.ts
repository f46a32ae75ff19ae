import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { READ_INPUT_FLAGS } from './regular-file.ts';

/** Streamed SHA-256 of a file, so large EXRs and .blends never sit in memory whole. `signal` stops it part-way. */
export async function sha256File(file: string, signal?: AbortSignal): Promise<{ sha256: string; bytes: number }> {
  const { sha256, bytes } = await sha256FileFinding(file, [], signal);
  return { sha256, bytes };
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

const SCAN_SLICE = 1 << 20;

/**
 * Streamed SHA-256 of a file that also says whether each of `blocks` occurs in it byte for byte: one read of a
 * finished output both hashes it and checks that what was stamped into it survived. `signal` stops it part-way. The file is read through one
 * reused buffer, so a large output adds no allocation of its own size.
 */
export async function sha256FileFinding(file: string, blocks: Buffer[], signal?: AbortSignal): Promise<{ sha256: string; bytes: number; found: boolean[] }> {
  const h = createHash('sha256');
  const found = blocks.map((b) => b.length === 0);
  const overlap = Math.max(0, ...blocks.map((b) => b.length - 1));
  const buf = Buffer.allocUnsafe(SCAN_SLICE);
  let tail = Buffer.alloc(0);
  let bytes = 0;
  const fh = await fs.open(file, READ_INPUT_FLAGS);
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await fh.read(buf, 0, buf.length, bytes);
      if (bytesRead === 0) break;
      const slice = buf.subarray(0, bytesRead);
      h.update(slice);
      bytes += bytesRead;
      // A block split across two reads lies within the last `overlap` bytes of one and the first of the next.
      const seam = tail.length > 0 ? Buffer.concat([tail, slice.subarray(0, overlap)]) : null;
      blocks.forEach((b, i) => {
        if (!found[i]) found[i] = slice.includes(b) || (seam?.includes(b) ?? false);
      });
      tail = Buffer.from(slice.subarray(Math.max(0, bytesRead - overlap)));
    }
  } finally {
    await fh.close();
  }
  return { sha256: h.digest('hex'), bytes, found };
}
