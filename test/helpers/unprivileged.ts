/**
 * The environment for a child that drops root to "nobody". tap's per-process hook goes along (its spawn wrapper
 * puts it back into NODE_OPTIONS, on Node 24 even when the caller left it out) and at exit writes a record into
 * `$_TAPJS_PROCESSINFO_CWD_/.tap/`, the checkout by default, which "nobody" may not write: the refusal printed an
 * EACCES stack into the output of a passing test. Pointed at a folder the child may write (the test's own
 * world-writable temp folder), the record lands there and goes with it.
 */
export function envForUnprivileged(writableDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, _TAPJS_PROCESSINFO_CWD_: writableDir, ...extra };
}
