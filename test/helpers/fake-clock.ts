/** A clock tests move by hand, and a sleep that advances it instead of waiting. */

/** A settable clock. `now` and `sleep` are bound, so they can be passed as dependencies directly. */
export class FakeClock {
  private current: number;
  /** Every sleep requested, in ms, in order. */
  readonly sleeps: number[] = [];

  /** How far each reading moves the clock: 0 keeps it still; more makes time pass while code works, as for real. */
  private readonly stepMs: number;

  constructor(start: number | string, options: { stepMs?: number } = {}) {
    this.current = typeof start === 'string' ? Date.parse(start) : start;
    this.stepMs = options.stepMs ?? 0;
  }

  readonly now = (): number => {
    const reading = this.current;
    this.current += this.stepMs;
    return reading;
  };

  /** Moves the clock forward. */
  advance(ms: number): void {
    this.current += ms;
  }

  /** Sets the clock (an ISO string or epoch ms). */
  set(at: number | string): void {
    this.current = typeof at === 'string' ? Date.parse(at) : at;
  }

  /** Records the wait and advances the clock by it; never waits for real. */
  readonly sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.current += ms;
  };
}
