import fs from 'node:fs/promises';
import path from 'node:path';
import type { AssetResult } from '../../protocol/src/results.ts';
import type { OriginalScan } from './scan.ts';

/** One finished file: enough to reuse its outputs on the next run without processing it again. */
export interface JournalRecord {
  /** sha256 of the content + its file name (the private master keeps the name). */
  key: string;
  /** Fingerprint of everything else that shapes the outputs (profile rights, preview settings, market). */
  settings: string;
  result: AssetResult;
  scan: OriginalScan;
}

export function journalKey(sha256: string, rel: string): string {
  return `${sha256}:${path.posix.basename(rel)}`;
}

/**
 * Append-only JSON Lines of finished files, fsynced per line, so a run killed half-way resumes where it
 * stopped. A torn last line (killed mid-write) is simply ignored.
 */
export class Journal {
  private readonly file: string;
  private handle: fs.FileHandle | null = null;
  private chain: Promise<void> = Promise.resolve();
  private readonly records = new Map<string, JournalRecord>();

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
      await this.handle.write(JSON.stringify(rec) + '\n');
      await this.handle.sync();
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
