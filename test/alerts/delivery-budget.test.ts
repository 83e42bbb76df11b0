import { describe, expect, it } from 'vitest';
import { DeliveryBudget } from '../../src/alerts/delivery-budget.ts';
import { realSleep } from '../../src/alerts/outbox.ts';
import { DeliveryError, type Notifier } from '../../src/alerts/ports.ts';

/** A notifier whose calls take `callMs` (forever when null) unless stopped, like the Slack notifier's `stop()`. */
function slowNotifier(callMs: number | null): Notifier & { calls: number } {
  const stopping = new AbortController();
  const notifier = {
    name: 'slow',
    calls: 0,
    async post() {
      notifier.calls++;
      await new Promise<void>((resolve, reject) => {
        const cut = () => reject(new DeliveryError('chat.postMessage: cut short, the process is stopping', { kind: 'stopped' }));
        if (stopping.signal.aborted) return cut();
        stopping.signal.addEventListener('abort', cut, { once: true });
        if (callMs !== null) setTimeout(resolve, callMs);
      });
      return { channel: 'C1', ts: '1.1' };
    },
    update: async () => {},
    upload: async () => ({ fileId: 'F1' }),
    stop: () => stopping.abort(),
  };
  return notifier;
}

const message = { channel: 'C1', text: 'hello' };

describe('DeliveryBudget', () => {
  it('cuts a call that hangs short when the budget is used up, and refuses every later call at once', async () => {
    const budget = new DeliveryBudget(150);
    const inner = slowNotifier(null);
    const notifier = budget.notifier(inner);
    const started = Date.now();
    await expect(notifier.post(message)).rejects.toThrow('chat.postMessage: not sent, the 150ms of delivery time are used up');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(budget.exhausted()).toBe(true);
    const refused = await notifier.post(message).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DeliveryError);
    expect((refused as DeliveryError).failure).toEqual({ kind: 'stopped' });
    expect(inner.calls).toBe(1);
  });

  it('counts only delivery time: work between calls does not use the budget up', async () => {
    const budget = new DeliveryBudget(250);
    const notifier = budget.notifier(slowNotifier(100));
    await notifier.post(message);
    await realSleep(400); // the job's own work
    await notifier.post(message);
    expect(budget.exhausted()).toBe(false);
    await expect(notifier.post(message)).rejects.toThrow(/used up/);
    expect(budget.exhausted()).toBe(true);
  });

  it('ends a wait between retries when the budget runs out, and waits no more afterwards', async () => {
    const budget = new DeliveryBudget(100);
    const sleep = budget.sleep(realSleep);
    const started = Date.now();
    await sleep(10_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(budget.exhausted()).toBe(true);
    const again = Date.now();
    await sleep(10_000);
    expect(Date.now() - again).toBeLessThan(50);
  });
});
