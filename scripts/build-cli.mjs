// Compiles the CLI (server/cli/main.ts and everything it imports from server/ and protocol/) into dist/cli/, so
// `colophon` starts without compiling TypeScript: about 0.3 s less for every command, and for every render a farm
// hands to `colophon process`. Runs on `npm ci` through the root "prepare" script. bin/colophon.js uses the build
// only while it is current (sources.json lists what went into it) and otherwise runs the sources through tsx, so an
// edited checkout never runs stale code.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(repo, 'dist', 'cli');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.warn('scripts/build-cli.mjs: esbuild is not installed (dev dependencies omitted?); colophon runs from the TypeScript sources.');
  process.exit(0);
}

// Bundled modules share one import.meta.url. Ours resolve files beside them (a worker script, the dashboard's
// folder), so each gets the URL of its own source file, written relative to the chunk so the checkout can move.
const sourceUrls = {
  name: 'source-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const contents = await fs.readFile(args.path, 'utf8');
      if (!contents.includes('import.meta.url')) return { contents, loader: 'ts' };
      const rel = path.relative(outdir, args.path).split(path.sep).join('/');
      return { contents: contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

await fs.rm(outdir, { recursive: true, force: true });
const result = await esbuild.build({
  absWorkingDir: repo,
  entryPoints: [path.join(repo, 'server', 'cli', 'main.ts')],
  bundle: true,
  // Commands load their implementations on demand (`--help` loads none); splitting keeps those imports lazy.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // Dependencies stay in node_modules, loaded as they are (native addons, vendored exiftool).
  packages: 'external',
  outdir,
  outExtension: { '.js': '.mjs' },
  sourcemap: 'linked',
  metafile: true,
  plugins: [sourceUrls],
  logLevel: 'warning',
});
const sources = Object.keys(result.metafile.inputs).map((p) => p.split(path.sep).join('/'));
await fs.writeFile(path.join(outdir, 'sources.json'), JSON.stringify({ entry: 'main.mjs', sources }, null, 1) + '\n');
