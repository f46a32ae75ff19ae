import cliProgress from 'cli-progress';
import type { ProgressFn } from '../pipeline/process.ts';

/**
 * A progress bar on stderr (files done / total, ETA, current file), or nothing when stderr is not a
 * terminal or output is JSON: logs and pipes never get control characters.
 */
export function progressBar(enabled: boolean): { onProgress?: ProgressFn; stop(): void } {
  if (!enabled || !process.stderr.isTTY) return { stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: '{bar} {value}/{total} files | ETA {eta_formatted} | {current}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress(done, total, current) {
      const name = current == null ? '' : current.length > 48 ? `…${current.slice(-47)}` : current;
      if (!started) {
        bar.start(total, done, { current: name });
        started = true;
      } else bar.update(done, { current: name });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
