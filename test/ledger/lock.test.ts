// Issue 12 item 4: stale-lock breaking is race-free with several writers at once, and kill -9 during appends
// never wedges the ledger or breaks the chain. Real processes, real files.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { Ledger } from '../../server/ledger/ledger.ts';

const workerScript = path.join(import.meta.dirname, 'append-worker.ts');

/** A writer process; `acked` collects every entry the ledger acknowledged to it. */
class Writer {
  readonly child: ChildProcess;
  readonly acked = new Map<number, string>();
  readonly exited: Promise<unknown>;
  private waiting: Array<{ word: string; resolve: () => void }> = [];
  private buf = '';

  constructor() {
    this.child = spawn(process.execPath, ['--import', 'tsx', workerScript], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.exited = once(this.child, 'close');
    this.child.stdout!.on('data', (d: Buffer) => {
      this.buf += d.toString();
      for (let nl = this.buf.indexOf('\n'); nl !== -1; nl = this.buf.indexOf('\n')) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        const [a, b] = line.split(' ');
        if (b != null) this.acked.set(Number(a), b);
        else this.waiting = this.waiting.filter((w) => (w.word === line ? (w.resolve(), false) : true));
      }
    });
  }

  waitFor(word: 'ready' | 'done'): Promise<void> {
    return new Promise((resolve) => this.waiting.push({ word, resolve }));
  }

  run(file: string, count: number, tag: string): Promise<void> {
    const done = this.waitFor('done');
    this.child.stdin!.write(`${file} ${count} ${tag}\n`);
    return done;
  }

  async stop(): Promise<void> {
    this.child.stdin!.end();
    await this.exited;
  }
}

/** A pid that certainly belongs to no running process: one that has just exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

async function tempDir(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-lock-'));
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

/** How many acknowledged entries are not in the file at their seq with their hash. */
async function lost(file: string, writers: Writer[]): Promise<number> {
  const entries = await new Ledger(file).readAll();
  let n = 0;
  for (const w of writers) for (const [seq, hash] of w.acked) if (entries[seq]?.hash !== hash) n++;
  return n;
}

t.test('a dead owner\'s lock with 2–6 writers starting at once: one chain, every entry, 10 rounds', async (t) => {
  const pool = Array.from({ length: 6 }, () => new Writer());
  t.teardown(() => Promise.all(pool.map((w) => w.stop())));
  await Promise.all(pool.map((w) => w.waitFor('ready')));
  for (let round = 0; round < 10; round++) {
    const dir = await tempDir(t);
    const file = path.join(dir, 'ledger.jsonl');
    await new Ledger(file).append('notice.changed', { round });
    // The lock a crashed writer left (and the old single-file form beside it, which must not matter).
    await fs.symlink(`${deadPid()} 0123456789abcdef`, `${file}.lock.3`);
    await fs.writeFile(`${file}.lock`, String(deadPid()));
    const writers = pool.slice(0, 2 + (round % 5));
    for (const w of writers) w.acked.clear();
    await Promise.all(writers.map((w, i) => w.run(file, 5, `r${round}w${i}`)));
    const v = await new Ledger(file).verify();
    t.match(v, { ok: true, entries: 1 + writers.length * 5 }, `round ${round}, ${writers.length} writers: the chain is whole`);
    t.equal(await lost(file, writers), 0, 'no acknowledged entry is missing or replaced');
    t.same((await fs.readdir(dir)).filter((n) => /\.lock\.\d+$/.test(n)), [], 'no lock left behind');
  }
});

t.test('kill -9 during appends, 20 trials: never wedged, chain unbroken, nothing acknowledged lost', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'ledger.jsonl');
  const all: Writer[] = [];
  let killedMidAppend = 0;
  for (let trial = 0; trial < 20; trial++) {
    const writers = [new Writer(), new Writer()];
    all.push(...writers);
    await Promise.all(writers.map((w) => w.waitFor('ready')));
    for (const [i, w] of writers.entries()) void w.run(file, 10_000, `t${trial}w${i}`);
    // Kill at a random point once they are appending: after 1–40 acknowledged entries between them.
    const at = 1 + Math.floor(Math.random() * 40);
    while (writers.reduce((n, w) => n + w.acked.size, 0) < at) await new Promise((r) => setTimeout(r, 2));
    const victims = trial % 2 === 0 ? writers : [writers[trial % 4 === 1 ? 0 : 1]!];
    for (const v of victims) v.child.kill('SIGKILL');
    for (const w of writers) if (!victims.includes(w)) w.child.kill('SIGTERM');
    await Promise.all(writers.map((w) => w.exited));
    const locks = (await fs.readdir(dir)).filter((n) => /\.lock\.\d+$/.test(n));
    if (locks.length > 0) killedMidAppend++;
    // The next writer (another process: this one) must get straight through, and the chain must verify.
    const timer = new Promise((r) => setTimeout(() => r('wedged'), 15_000));
    const next = await Promise.race([new Ledger(file).append('notice.changed', { trial, after: true }).then(() => 'ok'), timer]);
    t.equal(next, 'ok', `trial ${trial}: the next append is not wedged (${locks.length} lock(s) left by the killed writers)`);
    const v = await new Ledger(file).verify();
    t.equal(v.ok, true, `trial ${trial}: ${v.problem ?? 'the chain verifies'}`);
  }
  t.equal(await lost(file, all), 0, 'no acknowledged entry is missing or replaced');
  t.comment(`${killedMidAppend} of 20 trials left a dead owner's lock behind; all were broken`);
});
