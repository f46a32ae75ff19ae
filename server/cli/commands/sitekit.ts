import path from 'node:path';
import type { Command } from 'commander';
import { printJson, runCommand } from '../lazy.ts';
import { EXIT } from '../exit.ts';
import { writeHuman } from '../safe-text.ts';

export function registerSitekit(program: Command): void {
  program
    .command('sitekit')
    .description('write robots.txt, license.xml (RSL), .well-known/tdmrep.json, ai.txt, server header snippets, a <meta> snippet and TERMS.md for your website; records notice.changed')
    .option('--out <dir>', 'where to write the kit (default: <output root>/sitekit)')
    .option('--site <url>', 'your site\'s address, for the RSL license.xml links (default: from creator.url or webStatement)')
    .option('--refuse-ai-search', 'also refuse AI search/answer fetchers (OAI-SearchBot, PerplexityBot, Claude-SearchBot …) and say ai-use=n')
    .option('--json', 'print the written files and the ledger entry as JSON')
    .action((flags: { out?: string; json?: boolean; site?: string; refuseAiSearch?: boolean }) =>
      runCommand('sitekit', async ({ ledger, profile, profileWarnings }) => {
        for (const w of profileWarnings) writeHuman(process.stderr, `warning: ${w}\n`);
        const outDir = path.resolve(flags.out ?? path.join(profile.output.root, 'sitekit'));
        if (flags.site != null && !URL.canParse(flags.site)) {
          writeHuman(process.stderr, `colophon sitekit: --site "${flags.site}" is not a URL; pass e.g. https://jane.example.org\n`);
          process.exitCode = EXIT.USAGE;
          return;
        }
        const opts = { ...(flags.site != null ? { site: flags.site } : {}), refuseAiSearch: flags.refuseAiSearch === true };
        const { writeSitekit } = await import('../../evidence/sitekit.ts');
        const r = await writeSitekit(outDir, profile, ledger, new Date(), opts);
        if (flags.json) return printJson({ outDir, files: r.files, ledgerSeq: r.entry.seq });
        writeHuman(process.stdout, `Site kit written to ${outDir} (terms version ${profile.termsVersion}, ledger entry ${r.entry.seq}):\n`);
        for (const f of r.files) writeHuman(process.stdout, `  ${f.path}  sha256 ${f.sha256.slice(0, 16)}…\n`);
        writeHuman(process.stdout, 
          'Upload robots.txt, ai.txt, license.xml and .well-known/tdmrep.json to your site root, add the header snippet for your server\n' +
            'and the meta tags to your pages, and publish TERMS.md as your terms page.\n',
        );
      }),
    );
}
