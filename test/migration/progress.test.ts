import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatProgressLine, progressPrinter, StepMeter } from '../../src/migration/progress.ts';

function meterWithClock(total: number, startDone = 0) {
  let ms = 0;
  const meter = new StepMeter({ runId: 'run1', operation: 'migrate', phase: 'entities' }, () => ms, total, startDone);
  return { meter, tick: (delta: number) => (ms += delta) };
}

describe('StepMeter', () => {
  it.each([
    [0, 0, null, null, 'nothing done yet: no rate, no ETA'],
    [2_000, 1_000, 500, 18, '1,000 of 10,000 in 2 s: 500/s, 18 s left'],
    [4_000, 10_000, 2_500, 0, 'all done: ETA 0'],
  ])('after %i ms with %i done → %s/s, ETA %s s (%s)', (elapsed, done, rate, eta, _reason) => {
    const { meter, tick } = meterWithClock(10_000);
    tick(elapsed);
    expect(meter.report(done)).toMatchObject({ done, total: 10_000, ratePerSecond: rate, etaSeconds: eta });
  });

  it('counts only records done since it started when a run resumes', () => {
    const { meter, tick } = meterWithClock(10_000, 6_000);
    tick(1_000);
    expect(meter.report(7_000)).toMatchObject({ ratePerSecond: 1_000, etaSeconds: 3 });
  });

  it('grows the total when records were added during the step', () => {
    const { meter } = meterWithClock(10);
    expect(meter.report(12, true)).toMatchObject({ done: 12, total: 12, etaSeconds: 0, finished: true });
  });
});

describe('progressPrinter (plain lines)', () => {
  it('prints one line per tenth of a step and one at its end', () => {
    const lines: string[] = [];
    const { listener } = progressPrinter({ isTty: false, log: (line) => lines.push(line) });
    const { meter, tick } = meterWithClock(100);
    for (const [done, finished] of [[0, false], [5, false], [10, false], [15, false], [55, false], [100, false], [100, true]] as const) {
      tick(1_000);
      listener(meter.report(done, finished));
    }
    expect(lines).toEqual([
      'migrate run1 entities: 0/100 (0%)',
      'migrate run1 entities: 10/100 (10%, 3/s, ETA 27s)',
      'migrate run1 entities: 55/100 (55%, 11/s, ETA 4.1s)',
      'migrate run1 entities: 100/100 (100%, 14/s, done)',
    ]);
  });

  it('shows a step with nothing to do as complete', () => {
    expect(
      formatProgressLine({ runId: 'r', operation: 'undo', phase: 'undo', done: 0, total: 0, ratePerSecond: null, etaSeconds: null, finished: false }),
    ).toBe('undo r undo: 0/0 (100%)');
  });
});

describe('progressPrinter (terminal)', () => {
  function capturingStream(isTTY: boolean) {
    const stream = Object.assign(new PassThrough(), { isTTY, columns: 120 });
    let written = '';
    stream.on('data', (chunk: Buffer) => (written += chunk.toString()));
    return { stream, written: () => written };
  }

  it.each([
    [true, true, 'a terminal on both ends: a bar on the stream, no lines'],
    [true, false, 'stdout a terminal but stderr redirected to a file: plain lines, so the log holds progress'],
    [false, true, 'not a terminal (or --json): plain lines'],
  ])('isTty %s, stream a TTY %s (%s)', (isTty, streamIsTty) => {
    const { stream, written } = capturingStream(streamIsTty);
    const lines: string[] = [];
    const { listener, stop } = progressPrinter({ isTty, log: (line) => lines.push(line), stream });
    const { meter, tick } = meterWithClock(100);
    tick(1_000);
    listener(meter.report(40));
    tick(1_000);
    listener(meter.report(100, true));
    stop();
    if (isTty && streamIsTty) {
      expect(lines).toEqual([]);
      expect(written()).toMatch(/entities +\[█+\] 100% \| 100\/100 \| 50\/s \| ETA 0s/);
    } else {
      expect(written()).toBe('');
      expect(lines).toEqual(['migrate run1 entities: 40/100 (40%, 40/s, ETA 1.5s)', 'migrate run1 entities: 100/100 (100%, 50/s, done)']);
    }
  });
});
