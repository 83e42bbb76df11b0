/**
 * A bound on the time a command spends delivering: the Slack calls and the waits between their retries together
 * may take `budgetMs`. Once it is used up the call in flight is cut short, later calls and waits end at once, and
 * what was not sent stays in the outbox for the next round (`ontology-ops monitor flush`). The time a job spends
 * on its own work (checks, snapshots) is not counted, so a large store never costs its messages their chance.
 */
import { formatDuration } from '../durations.ts';
import { DeliveryError, type Notifier } from './ports.ts';
import type { Sleep } from './outbox.ts';

/** The longest a command's delivery may take by default: the command still ends within a minute. */
export const DEFAULT_DELIVERY_BUDGET_MS = 45_000;

/** Counts delivery time against a budget and wraps the notifier and the sleep that delivery uses. */
export class DeliveryBudget {
  private spentMs = 0;
  private active = 0;
  private activeSince = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly used = new AbortController();
  private readonly stopInner: Array<() => void> = [];

  constructor(
    readonly budgetMs: number,
    /** The wall clock: a pinned `--now` must not stop the budget from running out. */
    private readonly clock: () => number = Date.now,
  ) {}

  /** True once the budget is used up: deliveries stop and leave the rest in the outbox. */
  exhausted(): boolean {
    return this.used.signal.aborted;
  }

  /** `inner`, its calls counted against the budget and cut short when it runs out. */
  notifier(inner: Notifier): Notifier {
    if (inner.stop) this.stopInner.push(() => inner.stop!());
    const call = async <T>(method: string, send: () => Promise<T>): Promise<T> => {
      if (this.exhausted()) throw this.usedUp(method);
      return this.counted(async () => {
        try {
          return await send();
        } catch (error) {
          // The inner notifier reports its own stop as a stopping process: say what really happened.
          if (this.exhausted() && error instanceof DeliveryError && error.failure.kind === 'stopped') throw this.usedUp(method);
          throw error;
        }
      });
    };
    return {
      name: inner.name,
      post: (message) => call('chat.postMessage', () => inner.post(message)),
      update: (message) => call('chat.update', () => inner.update(message)),
      upload: (upload) => call('file upload', () => inner.upload(upload)),
      stop: () => inner.stop?.(),
    };
  }

  /** `inner` sleeping, counted against the budget and ended early when it runs out. */
  sleep(inner: Sleep): Sleep {
    return async (ms) => {
      if (this.exhausted()) return;
      let ended = () => {};
      const cut = new Promise<void>((resolve) => (ended = resolve));
      this.used.signal.addEventListener('abort', ended, { once: true });
      try {
        await this.counted(() => Promise.race([inner(ms), cut]));
      } finally {
        this.used.signal.removeEventListener('abort', ended);
      }
    };
  }

  private usedUp(method: string): DeliveryError {
    return new DeliveryError(`${method}: not sent, the ${formatDuration(this.budgetMs)} of delivery time are used up`, { kind: 'stopped' });
  }

  /** Runs `work` with the budget's clock running (it runs once, however many deliveries overlap). */
  private async counted<T>(work: () => Promise<T>): Promise<T> {
    if (this.active++ === 0) {
      this.activeSince = this.clock();
      this.timer = setTimeout(() => this.useUp(), Math.max(0, this.budgetMs - this.spentMs));
    }
    try {
      return await work();
    } finally {
      if (--this.active === 0) {
        this.spentMs += this.clock() - this.activeSince;
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        if (this.spentMs >= this.budgetMs) this.useUp();
      }
    }
  }

  private useUp(): void {
    if (this.exhausted()) return;
    this.used.abort();
    for (const stop of this.stopInner) stop();
  }
}
