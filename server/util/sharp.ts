import { createRequire } from 'node:module';

/**
 * sharp, loaded through its CommonJS entry. Imported as ESM, Node runs each CommonJS module sharp depends on
 * (semver's forty files, detect-libc, its colour library) through its export scanner as well as the loader:
 * measured on its own, `import('sharp')` costs about 90 ms and 140 ms of CPU more than bare node, `require('sharp')`
 * 50 and 60. Every `colophon process` loads it, so the pipeline takes it from here. Both entries load the same
 * native binding, so settings such as the cache and concurrency are shared with any ESM import of sharp.
 */
const sharp = createRequire(import.meta.url)('sharp') as typeof import('sharp').default;

export default sharp;
