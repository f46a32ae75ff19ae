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

// Loaded from node_modules as installed: native addons and packages that find files of their own beside them
// (libvips, the C2PA binary, the vendored exiftool, worker scripts, tsx's loader, pino's transports under fastify),
// and the large ones only some commands load. The small pure-JavaScript ones every command needs (zod — some 95
// modules —, commander, p-queue …) are compiled in, which saves a module lookup and a compile each on every start.
const LOADED_AS_INSTALLED = [
  'sharp', '@contentauth/c2pa-node', 'exiftool-vendored', 'piscina', 'tsx',
  'fastify', 'fastify-plugin', '@fastify/*', 'ws', 'chokidar', '@peculiar/*', 'yazl', 'yauzl', 'fzstd', 'cli-progress', 'semver',
];

// zod's index re-exports every locale it ships (64 of them, 40 % of the compiled zod); Colophon's messages are in
// English, which zod registers itself, so the CLI gets a locale index that holds English only: less to compile on
// every start.
const englishOnlyZodLocales = {
  name: 'english-only-zod-locales',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ contents: "export { default as en } from './en.js';\n", loader: 'js' }));
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
  external: LOADED_AS_INSTALLED,
  outdir,
  // The CommonJS packages compiled in (commander) call require() for Node's own modules.
  banner: { js: "import { createRequire as __colophonRequire } from 'node:module'; const require = __colophonRequire(import.meta.url);" },
  outExtension: { '.js': '.mjs' },
  sourcemap: 'linked',
  metafile: true,
  plugins: [sourceUrls, englishOnlyZodLocales],
  logLevel: 'warning',
});
const sources = Object.keys(result.metafile.inputs).map((p) => p.split(path.sep).join('/'));
await fs.writeFile(path.join(outdir, 'sources.json'), JSON.stringify({ entry: 'main.mjs', sources }, null, 1) + '\n');
