/** Exit codes shared by every command (SPEC §9). */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;

/** A usage problem found after parsing (e.g. a flag value commander cannot check). */
export class UsageError extends Error {}
