import type { Command } from 'commander';
import { OPTOUT_METHODS, OPTOUT_STATUSES } from '../../../protocol/src/records.ts';
import { CHECKLIST, CHECKLIST_CHECKED, DEFAULT_OVERDUE_DAYS } from '../../evidence/checklist.ts';
import { printJson, runCommand } from '../lazy.ts';
import { EXIT } from '../exit.ts';
import { writeHuman } from '../safe-text.ts';

export function registerOptout(program: Command): void {
  const optout = program.command('optout').description('opt-out requests sent to platforms and AI vendors, and their replies');

  optout
    .command('add')
    .description('record an opt-out request you sent (appends optout.sent with a short id)')
    .requiredOption('--platform <name>', 'who it was sent to, e.g. "Meta" or "Spawning DNTR"')
    .requiredOption('--method <method>', OPTOUT_METHODS.join('|'))
    .option('--ref <text>', 'a reference: ticket number, form confirmation, e-mail subject, URL')
    .option('--date <date>', 'when it was sent, YYYY-MM-DD (default: today)')
    .option('--note <text>', 'anything else worth keeping')
    .option('--json', 'print the ledger entry as JSON')
    .action((flags: { platform: string; method: string; ref?: string; date?: string; note?: string; json?: boolean }) =>
      runCommand('optout add', async ({ ledger }) => {
        const { addOptout } = await import('../../evidence/optout.ts');
        const entry = await addOptout(ledger, flags);
        if (flags.json) printJson(entry);
        else writeHuman(process.stdout, `Recorded opt-out ${String(entry.data.optoutId)} to ${String(entry.data.platform)} (ledger entry ${entry.seq}).\n`);
      }),
    );

  optout
    .command('respond')
    .description('record the reply to an opt-out request (appends optout.response)')
    .argument('<id>', 'the id printed by `optout add` (see `optout list`)')
    .requiredOption('--status <status>', OPTOUT_STATUSES.join('|'))
    .option('--note <text>', 'what they said')
    .option('--date <date>', 'when the reply came, YYYY-MM-DD (default: today)')
    .option('--json', 'print the ledger entry as JSON')
    .action((id: string, flags: { status: string; note?: string; date?: string; json?: boolean }) =>
      runCommand('optout respond', async ({ ledger }) => {
        const { respondOptout } = await import('../../evidence/optout.ts');
        const entry = await respondOptout(ledger, { id, ...flags });
        if (flags.json) printJson(entry);
        else writeHuman(process.stdout, `Recorded response "${flags.status}" to ${id} (ledger entry ${entry.seq}).\n`);
      }),
    );

  optout
    .command('list')
    .description('every opt-out request with its latest reply; overdue ones are flagged')
    .option('--days <n>', `a request with no reply after this many days is overdue (default ${DEFAULT_OVERDUE_DAYS})`)
    .option('--json', 'print JSON')
    .action((flags: { days?: string; json?: boolean }) =>
      runCommand('optout list', async ({ ledger }) => {
        const days = flags.days == null ? DEFAULT_OVERDUE_DAYS : Number(flags.days);
        if (!Number.isInteger(days) || days < 0) {
          writeHuman(process.stderr, `colophon optout list: --days "${flags.days}" must be a whole number of days.\n`);
          process.exitCode = EXIT.USAGE;
          return;
        }
        const { optoutStates } = await import('../../evidence/optout.ts');
        const states = optoutStates(await ledger.readAll(), new Date(), days);
        if (flags.json) return printJson({ overdueDays: days, optouts: states });
        if (states.length === 0) {
          writeHuman(process.stdout, 'No opt-out requests recorded. Add one with `colophon optout add --platform P --method form`.\n');
          return;
        }
        for (const s of states) {
          const flag = s.overdue ? `  OVERDUE (no reply after ${s.ageDays} days)` : '';
          const ref = s.ref != null ? ` ref ${s.ref}` : '';
          writeHuman(process.stdout, `${s.id}  ${s.sentDate}  ${s.platform} (${s.method})${ref}  ${s.status}${flag}\n`);
        }
        const overdue = states.filter((s) => s.overdue).length;
        if (overdue > 0) writeHuman(process.stdout, `${overdue} overdue: chase them and record the outcome with \`colophon optout respond <id> --status no-reply\`.\n`);
      }),
    );

  optout
    .command('checklist')
    .description('what each platform artists use offers against AI training (dated)')
    .option('--json', 'print JSON')
    .action((flags: { json?: boolean }) => {
      if (flags.json) return printJson({ checked: CHECKLIST_CHECKED, items: CHECKLIST });
      const out: string[] = [`Opt-out checklist, checked ${CHECKLIST_CHECKED}. Platforms change these often: confirm before relying on a row.`, ''];
      for (const c of CHECKLIST) {
        out.push(`## ${c.platform}`);
        out.push(c.methods.length === 0 ? '  Opt-out: NONE OFFERED.' : `  Opt-out: ${c.methods.join(', ')}${c.where != null ? ` — ${c.where}` : ''}`);
        out.push(`  What it does: ${c.offers}`);
        out.push(`  Limits: ${c.limits}`);
        out.push(`  Source: ${c.source}${c.confidence === 'secondary' ? ' (secondary sources only)' : ''}`);
        out.push('');
      }
      out.push('After you use one, record it: colophon optout add --platform <name> --method form|email|setting|robots');
      writeHuman(process.stdout, out.join('\n') + '\n');
    });
}
