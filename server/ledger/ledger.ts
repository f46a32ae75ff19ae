import fs from 'node:fs/promises';
import path from 'node:path';
import type { LedgerEntry, LedgerType } from '../../protocol/src/ledger.ts';
import { ColophonError } from '../errors.ts';
import { canonicalJson, sha256Hex } from '../util/hash.ts';
import { withFileLock } from './lock.ts';

export const GENESIS = '0'.repeat(64);

export function entryHash(e: Omit<LedgerEntry, 'hash'>): string {
  return sha256Hex(canonicalJson({ seq: e.seq, ts: e.ts, type: e.type, data: e.data, prev: e.prev }));
}

export interface VerifyReport {
  ok: boolean;
  entries: number;
  head: string;
  firstBadSeq?: number;
  problem?: string;
}

export interface LedgerQuery {
  assetId?: string;
  sha256?: string;
  type?: LedgerType;
  limit?: number;
}

/**
 * The evidence log: JSON Lines, one entry per line, each chained to the previous by hash.
 * Appends take a lock file (the daemon and the CLI may both write), are fsynced before they
 * return, and a torn final line left by a crash is cut off before the next append.
 */
export class Ledger {
  readonly file: string;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(file: string) {
    this.file = file;
  }

  append(type: LedgerType, data: Record<string, unknown>, now: Date = new Date()): Promise<LedgerEntry> {
    const run = this.chain.then(async () => {
      // The lock file lives beside the ledger, so its folder must exist before the lock is taken.
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      return withFileLock(`${this.file}.lock`, () => this.appendLocked(type, data, now));
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async appendLocked(type: LedgerType, data: Record<string, unknown>, now: Date): Promise<LedgerEntry> {
    const fh = await fs.open(this.file, 'a+', 0o600);
    try {
      const { size } = await fh.stat();
      const { last, cleanSize } = await readTail(fh, size);
      if (cleanSize !== size) await fh.truncate(cleanSize);
      const prevEntry = last == null ? null : parseLine(last, -1);
      const base = {
        seq: prevEntry == null ? 0 : prevEntry.seq + 1,
        ts: now.toISOString(),
        type,
        data: JSON.parse(JSON.stringify(data)) as Record<string, unknown>,
        prev: prevEntry == null ? GENESIS : prevEntry.hash,
      };
      const entry: LedgerEntry = { ...base, hash: entryHash(base) };
      await fh.write(canonicalJson(entry) + '\n', cleanSize);
      await fh.sync();
      return entry;
    } catch (err) {
      if (err instanceof ColophonError) throw err;
      throw new ColophonError('LEDGER_ERROR', `Cannot append to the ledger ${this.file}: ${(err as Error).message}`, {
        cause: err,
      });
    } finally {
      await fh.close();
    }
  }

  /** Every complete entry in order. A line that does not parse throws LEDGER_ERROR naming it. */
  async readAll(): Promise<LedgerEntry[]> {
    const lines = await this.readLines();
    return lines.map((l, i) => parseLine(l, i));
  }

  async query(q: LedgerQuery = {}): Promise<LedgerEntry[]> {
    const all = await this.readAll();
    const hits = all.filter((e) => {
      if (q.type != null && e.type !== q.type) return false;
      if (q.assetId != null && !mentions(e.data, 'assetId', q.assetId)) return false;
      if (q.sha256 != null && !JSON.stringify(e.data).includes(q.sha256)) return false;
      return true;
    });
    return q.limit != null ? hits.slice(-q.limit) : hits;
  }

  /** Recomputes the whole chain; names the first entry that is malformed, out of order or altered. */
  async verify(): Promise<VerifyReport> {
    let lines: string[];
    try {
      lines = await this.readLines();
    } catch (err) {
      return { ok: false, entries: 0, head: GENESIS, firstBadSeq: 0, problem: (err as Error).message };
    }
    let prev = GENESIS;
    for (let i = 0; i < lines.length; i++) {
      let e: LedgerEntry;
      try {
        e = parseLine(lines[i]!, i);
      } catch (err) {
        return { ok: false, entries: lines.length, head: prev, firstBadSeq: i, problem: (err as Error).message };
      }
      const bad = (problem: string): VerifyReport => ({ ok: false, entries: lines.length, head: prev, firstBadSeq: i, problem });
      if (e.seq !== i) return bad(`entry on line ${i + 1} has seq ${e.seq}, expected ${i}`);
      if (e.prev !== prev) return bad(`entry ${i} does not link to the previous entry (prev hash mismatch)`);
      if (entryHash(e) !== e.hash) return bad(`entry ${i} was altered: its content no longer matches its hash`);
      prev = e.hash;
    }
    return { ok: true, entries: lines.length, head: prev };
  }

  private async readLines(): Promise<string[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new ColophonError('LEDGER_ERROR', `Cannot read the ledger ${this.file}: ${(err as Error).message}`, { cause: err });
    }
    const lines = text.split('\n');
    // The last element is '' for a well-terminated file, or a torn write from a crash: ignore either.
    lines.pop();
    return lines;
  }
}

function mentions(v: unknown, key: string, value: string): boolean {
  if (Array.isArray(v)) return v.some((x) => mentions(x, key, value));
  if (v !== null && typeof v === 'object') {
    for (const [k, val] of Object.entries(v)) {
      if (k === key && val === value) return true;
      if (mentions(val, key, value)) return true;
    }
  }
  return false;
}

function parseLine(line: string, index: number): LedgerEntry {
  try {
    const e = JSON.parse(line) as LedgerEntry;
    if (typeof e.seq !== 'number' || typeof e.hash !== 'string' || typeof e.prev !== 'string') throw new Error('missing fields');
    return e;
  } catch (err) {
    throw new ColophonError('LEDGER_ERROR', `ledger line ${index + 1} is not a valid entry: ${(err as Error).message}`);
  }
}

/** Finds the last complete line and the size the file should have (cutting a torn, unterminated tail). */
async function readTail(fh: fs.FileHandle, size: number): Promise<{ last: string | null; cleanSize: number }> {
  if (size === 0) return { last: null, cleanSize: 0 };
  let chunk = 64 * 1024;
  for (;;) {
    const start = Math.max(0, size - chunk);
    const buf = Buffer.alloc(size - start);
    await fh.read(buf, 0, buf.length, start);
    const text = buf.toString('utf8');
    const lastNl = text.lastIndexOf('\n');
    if (lastNl === -1) {
      if (start === 0) return { last: null, cleanSize: 0 };
      chunk *= 4;
      continue;
    }
    const cleanSize = start + Buffer.byteLength(text.slice(0, lastNl + 1));
    const prevNl = text.lastIndexOf('\n', lastNl - 1);
    if (prevNl === -1 && start > 0) {
      chunk *= 4;
      continue;
    }
    return { last: text.slice(prevNl + 1, lastNl), cleanSize };
  }
}
