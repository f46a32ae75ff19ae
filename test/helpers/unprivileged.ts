/**
 * The environment for a child that drops root to "nobody": this process's, without tap's NODE_OPTIONS hook. At
 * exit the hook writes a per-process record into the checkout's .tap/, which "nobody" may not, and the refusal
 * printed an EACCES stack into the test output of a passing test.
 */
export function envForUnprivileged(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _tapHooks, ...env } = process.env;
  return { ...env, ...extra };
}
