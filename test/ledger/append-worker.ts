// A separate writer process for the lock tests. Prints "ready", then for each stdin line "<file> <count> <tag>"
// appends <count> entries, printing "<seq> <hash>" for each one the ledger acknowledged, then "done".
import readline from 'node:readline';
import { Ledger } from '../../server/ledger/ledger.ts';

process.stdout.write('ready\n');
for await (const line of readline.createInterface({ input: process.stdin })) {
  const [file, count, tag] = line.split(' ') as [string, string, string];
  const ledger = new Ledger(file);
  for (let i = 0; i < Number(count); i++) {
    const e = await ledger.append('notice.changed', { tag, i });
    process.stdout.write(`${e.seq} ${e.hash}\n`);
  }
  process.stdout.write('done\n');
}
