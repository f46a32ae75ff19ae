/** The compiled CLI's entry (dist/cli/main.mjs) when it exists and is newer than every file it was made from, else null. */
export function currentBuild(): URL | null;
