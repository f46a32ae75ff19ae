/** The wire protocol's version. Bump only for changes an older peer cannot ignore. */
export const PROTOCOL_VERSION = 1 as const;
/** Protocol versions this build of the daemon speaks. */
export const SUPPORTED_PROTOCOLS: readonly number[] = [PROTOCOL_VERSION];
export const SERVER_NAME = 'colophon';
