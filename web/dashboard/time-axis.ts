/**
 * The trend charts' time axis in real dates: its span around the snapshots, where its ticks go and their labels,
 * so that 1, 2 or 30 points all read well.
 */
import { formatDay, formatShort } from './format.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Up to this many points, each is labelled with its value and has its own tick. */
export const LABELLED_POINTS = 7;

/** The x axis: the snapshots' span, padded so the first and last points (and their labels) sit inside. */
export function axisRange(times: readonly number[], from: number, to: number): { min: number; max: number } {
  if (times.length === 0) return { min: from, max: to };
  const first = Math.min(...times);
  const last = Math.max(...times);
  const span = last - first;
  // A lone point sits mid-axis with half a day either side; points minutes apart still stand apart.
  const pad = span === 0 ? 12 * HOUR_MS : Math.max(span * 0.08, Math.min(12 * HOUR_MS, span * 0.5));
  return { min: first - pad, max: last + pad };
}

/** Where the axis has ticks: at each point when few, else at UTC midnights a whole number of days apart. */
export function tickTimes(times: readonly number[], min: number, max: number): number[] {
  if (times.length > 0 && times.length <= LABELLED_POINTS) return [...times];
  const step = Math.max(1, Math.ceil((max - min) / DAY_MS / 5)) * DAY_MS;
  const ticks: number[] = [];
  for (let at = Math.ceil(min / DAY_MS) * DAY_MS; at <= max; at += step) ticks.push(at);
  return ticks;
}

/** A tick's label: the day, with the time when two ticks fall on the same day (and the seconds in the same minute). */
export function tickLabel(at: number, ticks: readonly number[]): string {
  const day = formatDay(at);
  if (!ticks.some((other) => other !== at && formatDay(other) === day)) return day;
  const short = formatShort(at);
  const sameMinute = ticks.some((other) => other !== at && formatShort(other) === short);
  return sameMinute ? `${short}:${new Date(at).toISOString().slice(17, 19)}` : short;
}
