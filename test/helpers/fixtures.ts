import path from 'node:path';

/** The shared fixtures (cameras, phones, .blend files, the OpenEXR suite, damaged files), beside the checkout. */
export const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures');
