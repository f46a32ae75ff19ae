#!/usr/bin/env node
// Runs the compiled CLI (dist/cli, made on `npm ci`) while it is current, and otherwise the TypeScript sources
// through tsx: a checkout someone has edited never runs stale code, and there is no build step to forget.
// COLOPHON_FROM_SOURCE=1 always runs the sources.
import module from 'node:module';
import { currentBuild } from './compiled.js';

// Node 22.1+ keeps compiled code between runs; older Node has no such cache and skips this.
module.enableCompileCache?.();

const built = process.env.COLOPHON_FROM_SOURCE === '1' ? null : currentBuild();
if (built != null) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../server/cli/main.ts');
}
