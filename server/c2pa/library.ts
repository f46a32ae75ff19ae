import { ColophonError } from '../errors.ts';

type C2pa = Pick<typeof import('@contentauth/c2pa-node'), 'Builder' | 'Reader'>;
let loaded: Promise<C2pa> | null = null;

/**
 * The C2PA SDK (c2pa-rs through its Node binding), loaded on first use: its native module is large and most
 * commands never sign. The npm package ships a prebuilt Linux x64 binary; elsewhere `C2PA_LIBRARY_PATH` can
 * name a build of `index.node` (README, "Content Credentials").
 *
 * Only the two classes Colophon uses are loaded, from their own modules: the package's index also loads its
 * settings helpers, which pull in fs-extra and node-fetch and cost a `colophon process` about 70 ms of start-up
 * (9 ms for these two). The package has no `exports` map, so these paths are public; the version is pinned in
 * package.json and test/c2pa covers both classes.
 */
export function c2pa(): Promise<C2pa> {
  loaded ??= Promise.all([import('@contentauth/c2pa-node/dist/Builder.js'), import('@contentauth/c2pa-node/dist/Reader.js')])
    .then(([{ Builder }, { Reader }]) => ({ Builder, Reader }))
    .catch((err: unknown) => {
      loaded = null;
      throw new ColophonError(
        'SIGNING_FAILED',
        `the C2PA library could not be loaded (${String((err as Error)?.message ?? err).split('\n')[0]}); on platforms other than Linux x64 set C2PA_LIBRARY_PATH to a c2pa-node index.node built for this machine.`,
        { cause: err },
      );
    });
  return loaded;
}
