/** The trend charts' time axis: a lone snapshot mid-axis, two close ones apart and told apart, 30 days in dated ticks. */
import { describe, expect, it } from 'vitest';
import { axisRange, tickLabel, tickTimes } from '../../web/dashboard/time-axis.ts';

const DAY = 86_400_000;
const AT = Date.UTC(2026, 11, 8, 2, 0);

describe('the trend time axis', () => {
  it('puts a lone snapshot in the middle of a day-wide axis, with its own dated tick', () => {
    const { min, max } = axisRange([AT], AT - 7 * DAY, AT);
    expect([min, max]).toEqual([AT - DAY / 2, AT + DAY / 2]);
    const ticks = tickTimes([AT], min, max);
    expect(ticks).toEqual([AT]);
    expect(tickLabel(AT, ticks)).toBe('Dec 8');
  });

  it('keeps two snapshots minutes apart away from the edges and from each other, labelled with their times', () => {
    const later = AT + 5 * 60_000;
    const { min, max } = axisRange([AT, later], AT - 7 * DAY, later);
    expect((AT - min) / (max - min)).toBeCloseTo(0.25, 5);
    expect((later - min) / (max - min)).toBeCloseTo(0.75, 5);
    const ticks = tickTimes([AT, later], min, max);
    expect(ticks.map((tick) => tickLabel(tick, ticks))).toEqual(['Dec 8 02:00', 'Dec 8 02:05']);
  });

  it('tells apart two snapshots taken within the same minute by their seconds', () => {
    const later = AT + 20_000;
    const { min, max } = axisRange([AT, later], AT - 7 * DAY, later);
    const ticks = tickTimes([AT, later], min, max);
    expect(ticks.map((tick) => tickLabel(tick, ticks))).toEqual(['Dec 8 02:00:00', 'Dec 8 02:00:20']);
  });

  it('labels two daily snapshots with their days', () => {
    const { min, max } = axisRange([AT - DAY, AT], AT - 7 * DAY, AT);
    const ticks = tickTimes([AT - DAY, AT], min, max);
    expect(ticks.map((tick) => tickLabel(tick, ticks))).toEqual(['Dec 7', 'Dec 8']);
  });

  it('marks 30 daily snapshots with at most six midnight ticks, whole days apart', () => {
    const times = Array.from({ length: 30 }, (_, index) => AT - (29 - index) * DAY);
    const { min, max } = axisRange(times, AT - 30 * DAY, AT);
    expect(min).toBeLessThan(times[0]!);
    expect(max).toBeGreaterThan(AT);
    const ticks = tickTimes(times, min, max);
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(ticks.length).toBeLessThanOrEqual(6);
    for (const tick of ticks) expect(tick % DAY).toBe(0);
    const steps = new Set(ticks.slice(1).map((tick, index) => tick - ticks[index]!));
    expect(steps.size).toBe(1);
    expect(new Set(ticks.map((tick) => tickLabel(tick, ticks))).size).toBe(ticks.length);
  });

  it('spans the whole window when there is no snapshot', () => {
    expect(axisRange([], AT - 7 * DAY, AT)).toEqual({ min: AT - 7 * DAY, max: AT });
  });
});
