// Bundles the dashboard (web/src → web/dist). Runs on `npm ci` through the root "prepare" script and with
// `npm run build:web`; the daemon serves web/dist.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.join(here, 'src');
const dist = path.join(here, 'dist');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // An install without dev dependencies has no bundler; the daemon then says how to build the page.
  console.warn('web/build.mjs: esbuild is not installed (dev dependencies omitted?); the dashboard page was not built.');
  process.exit(0);
}

await fs.mkdir(dist, { recursive: true });
await esbuild.build({
  entryPoints: [path.join(src, 'main.js')],
  bundle: true,
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16'],
  minify: true,
  sourcemap: true,
  outfile: path.join(dist, 'app.js'),
  logLevel: 'warning',
});
for (const f of ['index.html', 'style.css']) await fs.copyFile(path.join(src, f), path.join(dist, f));
console.error(`dashboard built into ${path.relative(process.cwd(), dist) || dist}`);
