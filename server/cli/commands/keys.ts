import type { Command } from 'commander';
import type { IdentityInfo } from '../../c2pa/keys.ts';
import { printJson, runCommand } from '../lazy.ts';
import { EXIT } from '../exit.ts';
import { writeHuman } from '../safe-text.ts';

const keysModule = () => import('../../c2pa/keys.ts');

function print(info: IdentityInfo, dir: string): void {
  writeHuman(process.stdout,
    `Signing identity (${info.kind === 'local' ? 'made on this computer' : 'imported'}), in ${dir}\n` +
      `  subject:     ${info.subject}\n  issuer:      ${info.issuer}\n  algorithm:   ${info.alg}\n` +
      `  valid until: ${info.notAfter}\n  fingerprint: ${info.fingerprint}\n` +
      (info.kind === 'local'
        ? '  Its CA was made on this computer and is on no trust list: verifiers report "signed, signer not on the trust list".\n' +
          '  For a trusted signer, import a certificate from a CA on the C2PA trust list: colophon keys import --cert chain.pem --key key.pem\n'
        : ''),
  );
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('the signing identity for Content Credentials (C2PA)');
  keys
    .command('init')
    .description('make a local signing identity: an ES256 certificate under a CA made for this computer (keys are mode 0600)')
    .option('--force', 'replace an existing identity')
    .option('--json', 'print the identity as JSON')
    .action((flags: { force?: boolean; json?: boolean }) =>
      runCommand('keys init', async ({ paths, profile }) => {
        const { initIdentity, keyFiles } = await keysModule();
        const info = await initIdentity(paths.configDir, profile.creator.name, { force: flags.force === true });
        if (flags.json) return printJson(info);
        print(info, keyFiles(paths.configDir).dir);
      }),
    );
  keys
    .command('import')
    .description('sign with a certificate from a CA (e.g. one on the C2PA trust list): a PEM chain, signing certificate first, and its private key')
    .requiredOption('--cert <file>', 'PEM certificate chain, the signing certificate first')
    .requiredOption('--key <file>', 'PEM private key of the signing certificate (unencrypted)')
    .option('--json', 'print the identity as JSON')
    .action((flags: { cert: string; key: string; json?: boolean }) =>
      runCommand('keys import', async ({ paths }) => {
        const { importIdentity, keyFiles } = await keysModule();
        const info = await importIdentity(paths.configDir, flags.cert, flags.key);
        if (flags.json) return printJson(info);
        print(info, keyFiles(paths.configDir).dir);
      }),
    );
  keys
    .command('show')
    .description('show the signing identity (none is made until the first signing or `keys init`)')
    .option('--json', 'print the identity as JSON (null when there is none)')
    .action((flags: { json?: boolean }) =>
      runCommand('keys show', async ({ paths }) => {
        const { showIdentity, keyFiles } = await keysModule();
        const info = await showIdentity(paths.configDir);
        if (flags.json) return printJson(info);
        if (info == null) {
          process.stdout.write('No signing identity yet: `colophon keys init` makes one (processing a file also does).\n');
          process.exitCode = EXIT.FAILED;
          return;
        }
        print(info, keyFiles(paths.configDir).dir);
      }),
    );
}
