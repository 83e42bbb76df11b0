/**
 * A terminal progress bar for long CLI jobs (import, export, seed): drawn on stderr only when the output is
 * a terminal, silent otherwise so logs and piped JSON stay clean.
 */
import cliProgress from 'cli-progress';
import type { CliIo } from '../cli/context.ts';

/** Receives progress; `stop` removes the bar. */
export interface ProgressReporter {
  update: (done: number, total: number) => void;
  stop: () => void;
}

/** A bar labelled `label` when `io` and stderr (where the bar is drawn) are terminals, else a reporter that prints nothing. */
export function progressReporter(io: CliIo, label: string): ProgressReporter {
  if (!io.isTty || process.stderr.isTTY !== true) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`,
      stream: process.stderr,
      clearOnComplete: true,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done);
      }
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
