/**
 * Durations as settings and arguments write them (`90s`, `30m`, `4h`, `1d`, or milliseconds). A module of its own,
 * so a command that only parses a duration does not load the whole configuration schema.
 */

/** Milliseconds in a second, minute, hour and day. */
export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
const DURATION_UNITS: Record<string, number> = { ms: 1, s: SECOND, m: MINUTE, h: HOUR, d: DAY };

/** Parses a duration such as `4h`, `30m`, `90s`, `1d` or a bare number of milliseconds; undefined when invalid. */
export function parseDuration(raw: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(raw);
  if (!match) return undefined;
  const value = Number(match[1]) * DURATION_UNITS[match[2] ?? 'ms']!;
  return Number.isFinite(value) && value > 0 ? Math.round(value) : undefined;
}

/** A duration as the README writes it: `90s`, `2m`, `4h`, `7d`, or ms below a second. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

