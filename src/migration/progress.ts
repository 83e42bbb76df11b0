/**
 * Progress of a migration, undo or restore: records done / total per step, rate and ETA. The service reports
 * through a callback (Slack edits a message with it); `progressPrinter` renders the same reports on a terminal
 * (a cli-progress bar) or as plain lines (logs, pipes).
 */
import cliProgress from 'cli-progress';

/** The steps a report can be about. */
export type ProgressPhase = 'preflight' | 'backup' | 'entities' | 'connections' | 'events' | 'knowledge' | 'validation' | 'undo' | 'restore';

/** One progress report. */
export interface MigrationProgress {
  runId: string;
  operation: 'migrate' | 'undo' | 'restore' | 'fix';
  phase: ProgressPhase;
  /**
   * Records done in this step and the step's total (backup: documents written; restore: bytes read;
   * preflight and validation: 0 or 1, the check being one unit).
   */
  done: number;
  total: number;
  /** Records per second in this step so far; null before anything was done. */
  ratePerSecond: number | null;
  /** Seconds left in this step at the current rate; null when unknown. */
  etaSeconds: number | null;
  /** True on the step's last report. */
  finished: boolean;
}

/** Receives progress reports. */
export type ProgressListener = (progress: MigrationProgress) => void;

/** Computes rate and ETA of one step from a monotonic clock (ms). */
export class StepMeter {
  private readonly startedAt: number;
  private readonly startDone: number;

  constructor(
    private readonly base: Pick<MigrationProgress, 'runId' | 'operation' | 'phase'>,
    private readonly clock: () => number,
    private total: number,
    startDone = 0,
  ) {
    this.startedAt = clock();
    this.startDone = startDone;
  }

  /** A report for `done` records so far; `total` grows when records were added while the step ran. */
  report(done: number, finished = false): MigrationProgress {
    if (done > this.total) this.total = done;
    const elapsedSeconds = (this.clock() - this.startedAt) / 1000;
    const progressed = done - this.startDone;
    const rate = progressed > 0 && elapsedSeconds > 0 ? progressed / elapsedSeconds : null;
    const eta = finished ? 0 : rate ? (this.total - done) / rate : null;
    return {
      ...this.base,
      done,
      total: this.total,
      ratePerSecond: rate === null ? null : Math.round(rate),
      etaSeconds: eta === null ? null : Math.round(eta * 10) / 10,
      finished,
    };
  }
}

/** Formats one report as a plain line (no record contents: counts only). */
export function formatProgressLine(progress: MigrationProgress): string {
  const percent = progress.total > 0 ? Math.floor((100 * progress.done) / progress.total) : 100;
  const rate = progress.ratePerSecond === null ? '' : `, ${progress.ratePerSecond}/s`;
  const eta = progress.finished ? ', done' : progress.etaSeconds === null ? '' : `, ETA ${progress.etaSeconds}s`;
  return `${progress.operation} ${progress.runId} ${progress.phase}: ${progress.done}/${progress.total} (${percent}%${rate}${eta})`;
}

/**
 * A listener that shows progress: a bar per step when `isTty` and the bar's stream (default stderr) is a
 * terminal, else one line per 10% of a step and one at its end through `log` (so logs stay short and the
 * same input always gives the same lines). Checking the stream itself matters: with stderr redirected to a
 * file (`2>migrate.log`) the bar would draw nothing and the log would hold no progress at all.
 */
export function progressPrinter(options: { isTty: boolean; log: (line: string) => void; stream?: NodeJS.WritableStream }): {
  listener: ProgressListener;
  stop: () => void;
} {
  const stream = options.stream ?? process.stderr;
  if (options.isTty && (stream as { isTTY?: boolean }).isTTY === true) {
    let bar: cliProgress.SingleBar | null = null;
    let phase: string | null = null;
    const stop = () => {
      bar?.stop();
      bar = null;
      phase = null;
    };
    return {
      listener: (progress) => {
        if (phase !== progress.phase) {
          stop();
          phase = progress.phase;
          bar = new cliProgress.SingleBar(
            {
              format: `${progress.phase.padEnd(11)} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_text}`,
              stream,
              hideCursor: true,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(Math.max(progress.total, 1), 0, { rate: '-', eta_text: '-' });
        }
        bar!.setTotal(Math.max(progress.total, 1));
        bar!.update(progress.done, {
          rate: progress.ratePerSecond ?? '-',
          eta_text: progress.etaSeconds === null ? '-' : `${progress.etaSeconds}s`,
        });
        if (progress.finished) stop();
      },
      stop,
    };
  }
  const lastDecile = new Map<string, number>();
  return {
    listener: (progress) => {
      const key = `${progress.runId}:${progress.phase}`;
      // 100% is printed once, by the step's final report.
      const decile = progress.done >= progress.total ? -1 : Math.floor((10 * progress.done) / progress.total);
      const previous = lastDecile.get(key);
      if (progress.finished || previous === undefined || decile > previous) {
        lastDecile.set(key, progress.finished ? 11 : decile);
        if (previous !== 11) options.log(formatProgressLine(progress));
      }
    },
    stop: () => {},
  };
}
