/** A clock tests move by hand, and a sleep that advances it instead of waiting. */

/** A settable clock. `now` and `sleep` are bound, so they can be passed as dependencies directly. */
export class FakeClock {
  private current: number;
  /** Every sleep requested, in ms, in order. */
  readonly sleeps: number[] = [];

  constructor(start: number | string) {
    this.current = typeof start === 'string' ? Date.parse(start) : start;
  }

  readonly now = (): number => this.current;

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
