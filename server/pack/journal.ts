import fs from 'node:fs/promises';
import type { AssetResult } from '../../protocol/src/results.ts';
import { appendWhole } from '../ledger/write-whole.ts';
import type { OriginalScan } from './scan.ts';

/** One finished file: enough to reuse its outputs on the next run without processing it again. */
export interface JournalRecord {
  /** sha256 of the content + its place in the pack (its preview is delivered at that place). */
  key: string;
  /** Fingerprint of everything else that shapes the outputs (profile rights, preview settings, market). */
  settings: string;
  result: AssetResult;
  scan: OriginalScan;
}

export function journalKey(sha256: string, rel: string): string {
  return `${sha256}:${rel}`;
}

/**
 * Append-only JSON Lines of finished files, fsynced per line, so a run killed half-way resumes where it
 * stopped. A torn last line (killed mid-write) is simply ignored; an append that fails part-way (full disk) is
 * cut back, so it never leaves a partial line behind.
 */
export class Journal {
  private readonly file: string;
  private handle: fs.FileHandle | null = null;
  private chain: Promise<void> = Promise.resolve();
  private readonly records = new Map<string, JournalRecord>();
  /** The file's length after the last whole line, so a failed append can be cut back to it. */
  private bytes = 0;

  constructor(file: string) {
    this.file = file;
  }

  async load(): Promise<void> {
    let text = '';
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const rec = JSON.parse(line) as JournalRecord;
        if (typeof rec.key === 'string' && rec.result != null) this.records.set(rec.key, rec);
      } catch {
        /* torn line from a killed run */
      }
    }
    // Start the next run on a fresh line even if the last one was torn.
    if (text !== '' && !text.endsWith('\n')) await fs.appendFile(this.file, '\n');
    this.bytes = Buffer.byteLength(text) + (text !== '' && !text.endsWith('\n') ? 1 : 0);
  }

  get(key: string, settings: string): JournalRecord | undefined {
    const rec = this.records.get(key);
    return rec != null && rec.settings === settings ? rec : undefined;
  }

  get size(): number {
    return this.records.size;
  }

  append(rec: JournalRecord): Promise<void> {
    this.records.set(rec.key, rec);
    const next = this.chain.then(async () => {
      this.handle ??= await fs.open(this.file, 'a', 0o644);
      const line = Buffer.from(JSON.stringify(rec) + '\n', 'utf8');
      try {
        await appendWhole(this.handle, this.bytes, line);
      } catch (err) {
        // Not journalled: the next run processes the file again (its outputs are reused if they are whole).
        this.records.delete(rec.key);
        throw err;
      }
      this.bytes += line.length;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.handle?.close();
    this.handle = null;
  }
}

/**
 * True when every output a record names is still on disk with its recorded size. The per-asset
 * manifest.json is left out: two pack files with the same content share it, and the pack never ships it.
 */
export async function outputsIntact(result: AssetResult): Promise<boolean> {
  for (const o of result.outputs) {
    if (o.purpose === 'manifest') continue;
    const st = await fs.stat(o.path).catch(() => null);
    if (st == null || st.size !== o.bytes) return false;
  }
  return true;
}
