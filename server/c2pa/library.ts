import { ColophonError } from '../errors.ts';

type C2pa = typeof import('@contentauth/c2pa-node');
let loaded: Promise<C2pa> | null = null;

/**
 * The C2PA SDK (c2pa-rs through its Node binding), loaded on first use: its native module is large and most
 * commands never sign. The npm package ships a prebuilt Linux x64 binary; elsewhere `C2PA_LIBRARY_PATH` can
 * name a build of `index.node` (README, "Content Credentials").
 */
export function c2pa(): Promise<C2pa> {
  loaded ??= import('@contentauth/c2pa-node').catch((err: unknown) => {
    loaded = null;
    throw new ColophonError(
      'SIGNING_FAILED',
      `the C2PA library could not be loaded (${String((err as Error)?.message ?? err).split('\n')[0]}); on platforms other than Linux x64 set C2PA_LIBRARY_PATH to a c2pa-node index.node built for this machine.`,
      { cause: err },
    );
  });
  return loaded;
}
