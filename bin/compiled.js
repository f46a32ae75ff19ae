// Whether the compiled CLI (dist/cli, made by scripts/build-cli.mjs) may run: it exists and every file it was
// compiled from is older than it. Used by bin/colophon.js, and by the tests and the bench to say which one ran.
import fs from 'node:fs';

const repo = new URL('../', import.meta.url);

/** The compiled CLI's entry when it is current, else null. */
export function currentBuild() {
  try {
    const listing = new URL('dist/cli/sources.json', repo);
    const builtAt = fs.statSync(listing).mtimeMs;
    const { entry, sources } = JSON.parse(fs.readFileSync(listing, 'utf8'));
    const current = sources.length > 0 && sources.every((rel) => fs.statSync(new URL(rel, repo)).mtimeMs <= builtAt);
    return current ? new URL(`dist/cli/${entry}`, repo) : null;
  } catch {
    return null;
  }
}
