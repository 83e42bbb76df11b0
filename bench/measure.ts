/**
 * Measures one benchmark phase in the current process: wall time, peak RSS and the longest event-loop stall
 * (sampled by `monitorEventLoopDelay` at 10 ms resolution while the phase runs).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** What a phase reports about itself. */
export interface PhaseOutcome {
  /** Records the phase processed (for records/s). */
  records: number;
  /** Extra figures worth printing (counts, sizes). */
  details?: Record<string, number | string>;
}

/** A measured phase. */
export interface PhaseMeasurement extends PhaseOutcome {
  name: string;
  wallMs: number;
  recordsPerSecond: number;
  peakRssMb: number;
  longestStallMs: number;
}

/** Runs `phase` and measures it. Peak RSS is the process's high-water mark, so run one phase per process. */
export async function measure(name: string, phase: () => Promise<PhaseOutcome>): Promise<PhaseMeasurement> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const started = performance.now();
  const outcome = await phase();
  const wallMs = performance.now() - started;
  histogram.disable();
  return {
    name,
    ...outcome,
    wallMs,
    recordsPerSecond: outcome.records / (wallMs / 1000),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    // The histogram's max includes the 10 ms sampling interval itself.
    longestStallMs: Math.max(0, histogram.max / 1e6 - 10),
  };
}
