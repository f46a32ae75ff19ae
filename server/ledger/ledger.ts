import fs from 'node:fs/promises';
import path from 'node:path';
import canonicalize from 'canonicalize';
import type { LedgerEntry, LedgerType } from '../../protocol/src/ledger.ts';
import { DEFAULT_LIMITS } from '../../protocol/src/limits.ts';
import { ColophonError, toColophonError } from '../errors.ts';
import { sha256Hex } from '../util/hash.ts';
import { withFileLock } from './lock.ts';
import { appendWhole } from './write-whole.ts';

const GENESIS = '0'.repeat(64);

/** The fields of an entry, in the only form a line may have. */
const FIELDS = ['data', 'hash', 'prev', 'seq', 'ts', 'type'] as const;

/** RFC 8785 (JSON Canonicalization Scheme): sorted keys, no whitespace, ECMAScript number and string forms. */
export function canonical(value: unknown): string {
  const s = canonicalize(value);
  if (s == null) throw new Error('not JSON-serialisable');
  return s;
}

/** SHA-256 of the canonical JSON of every field but `hash`. */
function entryHash(e: Omit<LedgerEntry, 'hash'>): string {
  return sha256Hex(canonical({ seq: e.seq, ts: e.ts, type: e.type, data: e.data, prev: e.prev }));
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
 * What an append needs to know about the file, kept between appends and brought up to date under the lock by
 * reading only what other writers added since.
 */
interface Known {
  ino: number;
  size: number;
  last: LedgerEntry | null;
  /** Where the last entry's line starts, and its length with the newline (damaged lines may follow it). */
  lastAt: LineRange | null;
  /**
   * Where each asset's `asset.recorded` entries are. Only these few lines are read and keyed (recordKey) when an
   * append checks for a duplicate, so catching up never parses the whole file.
   */
  recorded: RecordedIndex;
}

interface LineRange {
  offset: number;
  /** With the newline. */
  length: number;
}

/**
 * Asset id → the byte ranges of its `asset.recorded` lines, oldest first. Kept as three flat number arrays and one
 * map entry per asset (each range links to the asset's previous one), not an array and an object per range: a new
 * process catching up on a large ledger adds one range per line, and that garbage showed as collector time.
 */
class RecordedIndex {
  private readonly newest = new Map<string, number>();
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];
  private readonly previous: number[] = [];

  add(assetId: string, range: LineRange): void {
    this.previous.push(this.newest.get(assetId) ?? -1);
    this.newest.set(assetId, this.offsets.length);
    this.offsets.push(range.offset);
    this.lengths.push(range.length);
  }

  rangesOf(assetId: string): LineRange[] {
    const ranges: LineRange[] = [];
    for (let i = this.newest.get(assetId) ?? -1; i !== -1; i = this.previous[i]!) ranges.push({ offset: this.offsets[i]!, length: this.lengths[i]! });
    return ranges.reverse();
  }
}

/**
 * The evidence log: JSON Lines, one entry per line, each chained to the previous by hash. Every line is the
 * RFC 8785 canonical JSON of its entry, so the stored bytes are exactly what the hash binds. Appends take a
 * lock (the daemon and CLI runs may all write), are fsynced before they return, and either land whole or leave
 * the file as it was (a full disk never leaves half a line behind to be reported as recorded).
 */
export class Ledger {
  readonly file: string;
  private chain: Promise<unknown> = Promise.resolve();
  private known: Known | null = null;

  /** How long an append waits for another writer's lock (limits.timeouts.ledgerLockMs). */
  private readonly lockMs: number;

  constructor(file: string, opts: { lockMs?: number } = {}) {
    this.file = file;
    this.lockMs = opts.lockMs ?? DEFAULT_LIMITS.timeouts.ledgerLockMs;
  }

  /**
   * Appends an entry. An `asset.recorded` whose asset, outputs and rights are already recorded is not written
   * again: the existing entry is returned, so re-running (or two runs at once) never records an asset twice.
   */
  append(type: LedgerType, data: Record<string, unknown>, now: Date = new Date()): Promise<LedgerEntry> {
    const run = this.chain.then(async () => {
      // The lock files live beside the ledger, so its folder must exist before the lock is taken.
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      return withFileLock(`${this.file}.lock`, () => this.appendLocked(type, data, now), this.lockMs).catch((err: unknown) => {
        throw toColophonError(err, 'LEDGER_ERROR').key === 'DISK_FULL' ? this.diskFull(err) : err;
      });
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async appendLocked(type: LedgerType, data: Record<string, unknown>, now: Date): Promise<LedgerEntry> {
    const fh = await fs.open(this.file, 'a+', 0o600);
    try {
      const known = await this.catchUp(fh);
      const plain = JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
      const key = recordKey(type, plain);
      const existing = key != null ? await recordedAlready(fh, known, plain.assetId as string, key, recordProbe(plain)) : null;
      if (existing != null) return existing;
      const base = {
        seq: known.last == null ? 0 : known.last.seq + 1,
        ts: now.toISOString(),
        type,
        data: plain,
        prev: known.last == null ? GENESIS : known.last.hash,
      };
      const entry: LedgerEntry = { ...base, hash: entryHash(base) };
      const line = Buffer.from(canonical(entry) + '\n', 'utf8');
      await appendWhole(fh, known.size, line);
      if (key != null) known.recorded.add(plain.assetId as string, { offset: known.size, length: line.length });
      known.lastAt = { offset: known.size, length: line.length };
      known.size += line.length;
      known.last = entry;
      return entry;
    } catch (err) {
      this.known = null; // re-read from the start next time rather than trust what was learnt before the failure
      if (err instanceof ColophonError) throw err;
      if (toColophonError(err).key === 'DISK_FULL') throw this.diskFull(err);
      throw new ColophonError('LEDGER_ERROR', `Cannot append to the ledger ${this.file}: ${(err as Error).message}`, { cause: err });
    } finally {
      await fh.close();
    }
  }

  private diskFull(err: unknown): ColophonError {
    return new ColophonError(
      'DISK_FULL',
      `The disk holding the evidence ledger ${this.file} is full, so nothing could be recorded. Free some space and run again; nothing was half-written and the ledger is intact.`,
      { cause: err },
    );
  }

  /**
   * Reads what was added to the file since the last append (everything, the first time or if the file was
   * replaced), and deals with an unterminated last line: a complete entry that only lost its newline gets it
   * back (it is never dropped); a cut line, which no append ever reported as written, is moved to
   * `<ledger>.torn` and cut off. Only the entries an append chains onto or compares with are parsed: the last
   * one known before (re-read at its offset, to notice a file rewritten under us) and the new last one; the rest
   * are scanned for their asset id.
   */
  private async catchUp(fh: fs.FileHandle): Promise<Known> {
    const st = await fh.stat();
    let k = this.known;
    if (k == null || k.ino !== st.ino || st.size < k.size) k = { ino: st.ino, size: 0, last: null, lastAt: null, recorded: new RecordedIndex() };
    // The last entry known must still be where it was: a file rewritten under us (same inode, as long or longer)
    // is read again from the beginning.
    if (k.last != null && k.lastAt != null) {
      const n = k.lastAt.length;
      const line = await readRange(fh, k.lastAt.offset, n);
      if (line.length !== n || line[n - 1] !== 0x0a || tryParse(line.subarray(0, n - 1))?.hash !== k.last.hash) {
        this.known = null;
        return this.catchUp(fh);
      }
    }
    const known = k;
    const linesEnd = await eachLine(fh, k.size, st.size, (buf, start, newline, offset) => {
      const id = recordedAssetId(buf, start, newline);
      if (id != null) known.recorded.add(id, { offset, length: newline + 1 - start });
    });
    const tail = st.size > linesEnd ? await readRange(fh, linesEnd, st.size - linesEnd) : Buffer.alloc(0);
    const last = await lastEntryIn(fh, k.size, linesEnd, tail.length > 0);
    if (last != null) [k.last, k.lastAt] = [last.entry, { offset: last.offset, length: last.length }];
    k.size = linesEnd;
    if (tail.length > 0) {
      const whole = completeEntry(tail.toString('utf8'), k.last);
      if (whole != null) {
        await appendWhole(fh, st.size, Buffer.from('\n'));
        if (whole.type === 'asset.recorded' && typeof whole.data.assetId === 'string') k.recorded.add(whole.data.assetId, { offset: k.size, length: tail.length + 1 });
        k.last = whole;
        k.lastAt = { offset: k.size, length: tail.length + 1 };
        k.size += tail.length + 1;
      } else {
        await fs.appendFile(`${this.file}.torn`, Buffer.concat([tail, Buffer.from('\n')]), { mode: 0o600 });
        await fh.truncate(k.size);
        await fh.sync();
      }
    }
    this.known = k;
    return k;
  }

  /** Every complete entry in order. A line that does not parse throws LEDGER_ERROR naming it. */
  async readAll(): Promise<LedgerEntry[]> {
    const { lines } = await this.readLines();
    return lines.map((l, i) => parseLine(l.toString('utf8'), i));
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

  /**
   * Recomputes the whole chain and names the first entry that is malformed, not byte-for-byte canonical, out of
   * order or altered; a last line that is cut or lost its newline is reported too.
   */
  async verify(): Promise<VerifyReport> {
    let read: { lines: Buffer[]; tail: Buffer };
    try {
      read = await this.readLines();
    } catch (err) {
      return { ok: false, entries: 0, head: GENESIS, firstBadSeq: 0, problem: (err as Error).message };
    }
    const { lines, tail } = read;
    let prev = GENESIS;
    for (let i = 0; i < lines.length; i++) {
      const bad = (problem: string): VerifyReport => ({ ok: false, entries: lines.length, head: prev, firstBadSeq: i, problem });
      const problem = lineProblem(lines[i]!, i, prev);
      if (problem != null) return bad(problem);
      prev = (JSON.parse(lines[i]!.toString('utf8')) as LedgerEntry).hash;
    }
    if (tail.length > 0) {
      const n = lines.length;
      const last = n > 0 ? (JSON.parse(lines[n - 1]!.toString('utf8')) as LedgerEntry) : null;
      const whole = lineProblem(tail, n, prev) == null;
      const entries = whole ? n + 1 : n;
      return {
        ok: false, entries, head: whole ? completeEntry(tail.toString('utf8'), last)!.hash : prev, firstBadSeq: n,
        problem: whole
          ? `the last line (entry ${n}) lost its newline: the entry is intact but the file was cut or edited after it was written. The next append restores the newline.`
          : `the last line (line ${n + 1}, ${tail.length} bytes) is cut off: an append was interrupted (crash or full disk) or the file was truncated. Entries 0–${n - 1} are intact; the next append moves the cut line to ${path.basename(this.file)}.torn.`,
      };
    }
    return { ok: true, entries: lines.length, head: prev };
  }

  /** The newline-terminated lines (without their newline) and whatever follows the last newline. */
  private async readLines(): Promise<{ lines: Buffer[]; tail: Buffer }> {
    let buf: Buffer;
    try {
      buf = await fs.readFile(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], tail: Buffer.alloc(0) };
      throw new ColophonError('LEDGER_ERROR', `Cannot read the ledger ${this.file}: ${(err as Error).message}`, { cause: err });
    }
    const lines: Buffer[] = [];
    let off = 0;
    for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a, off)) {
      lines.push(buf.subarray(off, nl));
      off = nl + 1;
    }
    return { lines, tail: buf.subarray(off) };
  }
}

/**
 * What makes two `asset.recorded` entries the same record: the asset, every output's path and hash, and the
 * rights it was recorded under. Other types are never deduplicated.
 */
function recordKey(type: string, d: Record<string, unknown>): string | null {
  if (type !== 'asset.recorded' || typeof d.assetId !== 'string' || !Array.isArray(d.outputs)) return null;
  const outputs = (d.outputs as Array<Record<string, unknown>>).map((o) => (o.entry != null ? [o.path, o.entry, o.sha256] : [o.path, o.sha256])).sort();
  return sha256Hex(canonical([d.assetId, outputs, d.creator, d.licence, d.dataMining, d.noticeVersion, d.termsVersion]));
}

/** This asset's earlier entries are read in one go while they lie within this much of each other. */
const RECORDED_BATCH_BYTES = 1 << 20;

/**
 * The first of this asset's `asset.recorded` entries that records the same as `key`, read from the file. An asset
 * processed again and again (into new output folders) has many: nearby ones are read together, and only lines that
 * contain `probe` (a hash every match must contain) are parsed and compared.
 */
async function recordedAlready(fh: fs.FileHandle, known: Known, assetId: string, key: string, probe: Buffer | null): Promise<LedgerEntry | null> {
  const ranges = known.recorded.rangesOf(assetId);
  for (let first = 0; first < ranges.length; ) {
    const start = ranges[first]!.offset;
    let end = first + 1;
    while (end < ranges.length && ranges[end]!.offset + ranges[end]!.length - start <= RECORDED_BATCH_BYTES) end++;
    const last = ranges[end - 1]!;
    const bytes = await readRange(fh, start, last.offset + last.length - start);
    for (const range of ranges.slice(first, end)) {
      const line = bytes.subarray(range.offset - start, range.offset - start + range.length - 1);
      if (probe != null && !line.includes(probe)) continue;
      const e = tryParse(line);
      if (e != null && recordKey(e.type, e.data) === key) return e;
    }
    first = end;
  }
  return null;
}

/** A hash that every entry recording the same as this one contains verbatim: its first output's SHA-256. */
function recordProbe(d: Record<string, unknown>): Buffer | null {
  const sha = (d.outputs as Array<Record<string, unknown>> | undefined)?.[0]?.sha256;
  return typeof sha === 'string' && /^[0-9a-f]{64}$/.test(sha) ? Buffer.from(sha, 'latin1') : null;
}

// Lines are canonical JSON, so keys are sorted: an entry ends with its type and a record's data opens with its asset id.
const RECORDED_END = Buffer.from(',"type":"asset.recorded"}');
const ASSET_ID_START = Buffer.from('{"data":{"assetId":"');
const RECORDED = Buffer.from('"asset.recorded"');

/**
 * The asset id of the `asset.recorded` line at bytes [start, end) of `buf`, found without parsing it (nor making a
 * view of it: a catch-up calls this for every line) when the line has the canonical form.
 */
function recordedAssetId(buf: Buffer, start: number, end: number): string | null {
  const idAt = start + ASSET_ID_START.length;
  const canonicalRecord = end - start > RECORDED_END.length + ASSET_ID_START.length &&
    buf.compare(RECORDED_END, 0, RECORDED_END.length, end - RECORDED_END.length, end) === 0 &&
    buf.compare(ASSET_ID_START, 0, ASSET_ID_START.length, start, idAt) === 0;
  if (canonicalRecord) {
    const close = buf.indexOf(0x22, idAt);
    if (close !== -1 && close < end) return buf.toString('utf8', idAt, close);
  }
  // Any other line that might be a record (edited by hand, or a record without an asset id first) is parsed.
  const line = buf.subarray(start, end);
  if (line.indexOf(RECORDED) === -1) return null;
  const e = tryParse(line);
  return e != null && e.type === 'asset.recorded' && typeof e.data?.assetId === 'string' ? e.data.assetId : null;
}

/**
 * The last entry among complete `lines` that parses, and where its line starts and how long it is (newline
 * included). A damaged line is passed over for verify to report, unless it is the very last thing in the file: an
 * append must not chain onto a guess.
 */
function lastEntry(lines: Buffer, more: boolean): { entry: LedgerEntry; start: number; length: number } | null {
  let end = lines.length - 1; // the last line's newline
  while (end > 0) {
    const start = lines.lastIndexOf(0x0a, end - 1) + 1;
    try {
      return { entry: parseLine(lines.toString('utf8', start, end), -1), start, length: end + 1 - start };
    } catch (err) {
      if (end === lines.length - 1 && !more) throw err;
    }
    end = start - 1;
  }
  return null;
}

function tryParse(line: Buffer): LedgerEntry | null {
  try {
    return parseLine(line.toString('utf8'), -1);
  } catch {
    return null;
  }
}

/** Why line i is not a valid next entry after `prev`, or null. */
function lineProblem(bytes: Buffer, i: number, prev: string): string | null {
  let e: LedgerEntry;
  try {
    e = parseLine(bytes.toString('utf8'), i);
  } catch (err) {
    return (err as Error).message;
  }
  const keys = Object.keys(e).sort();
  if (keys.join() !== FIELDS.join()) {
    return `entry on line ${i + 1} has the fields ${keys.join(', ')}; an entry has exactly ${FIELDS.join(', ')}`;
  }
  if (e.seq !== i) return `entry on line ${i + 1} has seq ${e.seq}, expected ${i}`;
  if (!Buffer.from(canonical(e), 'utf8').equals(bytes)) {
    return `entry ${i} is not stored in canonical form (whitespace, key order, a duplicated key or a rewritten number such as 3.0): the line was edited after it was written`;
  }
  if (e.prev !== prev) return `entry ${i} does not link to the previous entry (prev hash mismatch)`;
  if (entryHash(e) !== e.hash) return `entry ${i} was altered: its content no longer matches its hash`;
  return null;
}

/** `text` as an entry if it is a whole, canonical entry that follows `last`; else null. */
function completeEntry(text: string, last: LedgerEntry | null): LedgerEntry | null {
  const bytes = Buffer.from(text, 'utf8');
  const seq = last == null ? 0 : last.seq + 1;
  if (lineProblem(bytes, seq, last?.hash ?? GENESIS) != null) return null;
  return JSON.parse(text) as LedgerEntry;
}

async function readRange(fh: fs.FileHandle, offset: number, length: number): Promise<Buffer> {
  // Not zero-filled (a catch-up may read a large ledger whole): only the bytes read are handed back.
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/** How much of the ledger a catch-up reads at a time: a ledger only grows, so it is never read into memory whole. */
const SCAN_BYTES = 4 << 20;

/**
 * Calls `visit` for each newline-terminated line in [from, to) of the file, with the line at [start, newline) of
 * `buf` and its offset in the file, and returns the offset just past the last newline. Reads into one reused
 * buffer, which grows only for a line longer than it.
 */
async function eachLine(
  fh: fs.FileHandle, from: number, to: number,
  visit: (buf: Buffer, start: number, newline: number, offset: number) => void,
): Promise<number> {
  let buf = Buffer.allocUnsafe(Math.min(SCAN_BYTES, to - from));
  let base = from; // the file offset of buf[0]
  let carried = 0; // bytes at buf's start: a line begun in the previous read
  while (base + carried < to) {
    if (carried === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, carried);
      buf = bigger;
    }
    const { bytesRead } = await fh.read(buf, carried, Math.min(buf.length - carried, to - base - carried), base + carried);
    if (bytesRead === 0) break;
    const filled = buf.subarray(0, carried + bytesRead);
    let start = 0;
    for (let nl = filled.indexOf(0x0a, carried); nl !== -1; nl = filled.indexOf(0x0a, start)) {
      visit(buf, start, nl, base + start);
      start = nl + 1;
    }
    buf.copy(buf, 0, start, filled.length);
    carried = filled.length - start;
    base += start;
  }
  return base;
}

/**
 * lastEntry over the complete lines in [from, end) of the file, read backwards from `end` only as far as it needs
 * (a window that doubles while it holds no entry that parses), with the entry's offset in the file.
 */
async function lastEntryIn(fh: fs.FileHandle, from: number, end: number, more: boolean): Promise<{ entry: LedgerEntry; offset: number; length: number } | null> {
  for (let window = 64 << 10; ; window *= 2) {
    const start = Math.max(from, end - window);
    const bytes = await readRange(fh, start, end - start);
    // Unless the window reaches `from`, its first line is cut: it starts after the window's first newline.
    const skip = start > from ? bytes.indexOf(0x0a) + 1 : 0;
    const found = lastEntry(bytes.subarray(skip), more);
    if (found != null) return { entry: found.entry, offset: start + skip + found.start, length: found.length };
    if (start === from) return null;
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
    const where = index >= 0 ? `ledger line ${index + 1}` : 'a ledger line';
    throw new ColophonError('LEDGER_ERROR', `${where} is not a valid entry: ${(err as Error).message}`);
  }
}
