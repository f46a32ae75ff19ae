/** Exit codes shared by every command (SPEC §9). */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;
