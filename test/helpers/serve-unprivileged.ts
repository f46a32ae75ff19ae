// `colophon serve` as the user "nobody", for the test of a port the OS refuses (root may bind any port). Every
// module the daemon uses loads while still root (by building the app once and closing it), so the checkout may be
// anywhere, a 0700 CI folder included; then root is dropped and serve runs with the arguments given.
import { Command } from 'commander';
import { loadProfile } from '../../server/config.ts';
import { loadServe, registerServe } from '../../server/cli/commands/serve.ts';
import { buildApp } from '../../server/daemon/app.ts';
import { resolvePaths } from '../../server/paths.ts';

const paths = resolvePaths(process.env);
const warm = await buildApp({ paths, token: 'warm-up', version: '0', loadProfile: () => loadProfile(paths), logger: { level: 'silent' } });
await warm.ready();
await warm.close();
// serve loads its implementation when it runs: load it now (the same, memoised load), while the checkout is readable.
await loadServe();

if (process.getuid?.() === 0) {
  process.setgid!(65534);
  process.setuid!(65534);
}
const program = new Command('colophon').exitOverride();
registerServe(program);
await program.parseAsync(['serve', ...process.argv.slice(2)], { from: 'user' });
