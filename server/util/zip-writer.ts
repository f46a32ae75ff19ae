import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';

export type ZipEntryOptions = Partial<yazl.Options>;

export interface HashedEntry {
  sha256: string;
  bytes: number;
  mtime: Date;
}

/**
 * The one way Colophon writes a zip (the pack's delivery zip, the .blend archive): yazl streaming into a new file
 * (`wx`: a temp name the caller renames). Entries are written in the order they are added.
 */
export class ZipWriter {
  readonly #zip = new yazl.ZipFile();
  readonly #out: ReturnType<typeof createWriteStream>;
  readonly #written: Promise<void>;
  readonly #hash = createHash('sha256');
  #bytes = 0;

  constructor(file: string) {
    this.#out = createWriteStream(file, { flags: 'wx' });
    // The zip is hashed as it is written, so nobody reads it back to learn its hash.
    const tap = new Transform({
      transform: (chunk: Buffer, _enc, cb) => {
        this.#hash.update(chunk);
        this.#bytes += chunk.length;
        cb(null, chunk);
      },
    });
    this.#written = pipeline(this.#zip.outputStream, tap, this.#out);
    this.#written.catch(() => undefined); // awaited in end() or abort()
  }

  addBuffer(data: Buffer, name: string, opts?: ZipEntryOptions): void {
    this.#zip.addBuffer(data, name, opts);
  }

  addFile(file: string, name: string, opts?: ZipEntryOptions): void {
    this.#zip.addFile(file, name, opts);
  }

  /** Streams `file` in as `name`, hashing it on the way (one read); the entry's time is the file's mtime. */
  async addHashed(file: string, name: string, opts: Omit<ZipEntryOptions, 'mtime'>, signal?: AbortSignal): Promise<HashedEntry> {
    const fh = await fs.open(file, 'r');
    const st = await fh.stat();
    const hash = createHash('sha256');
    let bytes = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        bytes += chunk.length;
        cb(null, chunk);
      },
    });
    const rs = fh.createReadStream({ highWaterMark: 1 << 20 });
    const onAbort = () => rs.destroy(signal?.reason as Error);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      this.#zip.addReadStream(tap, name, { ...opts, mtime: st.mtime });
      await new Promise<void>((resolve, reject) => {
        tap.on('end', resolve);
        tap.on('error', reject);
        rs.on('error', reject);
        rs.pipe(tap);
      });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await fh.close().catch(() => undefined);
    }
    return { sha256: hash.digest('hex'), bytes, mtime: st.mtime };
  }

  /** Writes the central directory, waits until the file is complete, and returns the zip's own hash and size. */
  async end(): Promise<{ sha256: string; bytes: number }> {
    this.#zip.end();
    await this.#written;
    return { sha256: this.#hash.digest('hex'), bytes: this.#bytes };
  }

  /** Stops writing (the caller removes the temp file). */
  async abort(): Promise<void> {
    this.#out.destroy();
    await this.#written.catch(() => undefined);
  }
}
