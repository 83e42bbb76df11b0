/**
 * What every `ontology-ops` command shares: the global options (`--db`, `--json`, `--now`), opening the store,
 * and printing a result as exactly one JSON document or as readable text.
 */
import { rmSync, statSync, truncateSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { checkThreadsSetting, convexSettings } from '../config.ts';
import { parseDuration } from '../durations.ts';
import { openBackend, type Backend, type BackendOptions, type ConvexRestoreOptions } from '../backend.ts';
import { InvalidArgumentError } from '../errors.ts';
import { crashPointsFromEnv } from '../migration/test-hooks.ts';
import { stringifyUniform } from '../ontology/values.ts';
import { loadThresholds, type ThresholdTable } from '../quality/thresholds.ts';
import type { BulkLoadLease, BulkLoadTarget } from '../store/bulk-load.ts';
import { DATA_SET_LEASE } from '../store/port.ts';

/** Default database file when neither `--db` nor `ONTOLOGY_DB` is given. */
export const DEFAULT_DB_PATH = './data/ontology.db';

/** What a fill (seed, import) runs with. */
export interface FillControl {
  /** Aborted on SIGINT or SIGTERM (its reason names the signal): stop, and leave the store as it was. */
  signal: AbortSignal;
  /** The data-set lease the fill runs under; pass it to the load, which refuses while another holder has it. */
  lease: BulkLoadLease;
}

/** Global options as commander hands them over. */
export interface GlobalOptions {
  db?: string;
  json?: boolean;
  now?: string;
}

/** Where output goes; tests capture it. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stdout is a terminal (progress bars, colours). */
  isTty: boolean;
  env: NodeJS.ProcessEnv;
}

/** The context a command runs with. */
export class CliContext {
  constructor(
    readonly io: CliIo,
    private readonly options: () => GlobalOptions,
  ) {}

  /** The database path: `--db`, else env `ONTOLOGY_DB`, else `./data/ontology.db`. */
  dbPath(): string {
    return resolve(this.options().db ?? this.io.env.ONTOLOGY_DB ?? DEFAULT_DB_PATH);
  }

  get json(): boolean {
    return this.options().json === true;
  }

  /** `--now` as epoch ms (ISO 8601 or a number of ms), else the real clock. */
  now(): number {
    const raw = this.options().now;
    return raw === undefined ? Date.now() : parseInstant(raw, '--now');
  }

  /**
   * Opens the backend (every port and service over the store) through the composition root. With `mustExist`
   * (commands that read), a missing store is an error that says how to create one, instead of silently creating
   * an empty store. `readOnly`: true for commands that only read (a store without write access still opens);
   * `'when-not-writable'` for commands that write only incidentally (schema upkeep), so they still read a store
   * they cannot write.
   */
  openBackend(options: Pick<BackendOptions, 'mustExist' | 'readOnly' | 'useWorker' | 'emptyIsNew'> & { convexRestore?: Partial<ConvexRestoreOptions> } = {}): Backend {
    const { convexRestore, ...rest } = options;
    const convex = convexSettings(this.io.env);
    return openBackend({
      dbPath: this.dbPath(),
      convex: convex && { ...convex, ...(convexRestore ? { restore: convexRestore } : {}) },
      thresholds: this.thresholds(),
      checkThreads: checkThreadsSetting(this.io.env),
      crash: crashPointsFromEnv(this.io.env),
      ...rest,
    });
  }

  /** Runs `work` with the backend open (see `openBackend`) and closes it afterwards, whatever happens. */
  async withBackend<T>(options: Pick<BackendOptions, 'mustExist' | 'readOnly'>, work: (backend: Backend) => Promise<T>): Promise<T> {
    const backend = this.openBackend(options);
    try {
      return await work(backend);
    } finally {
      await backend.close();
    }
  }

  /**
   * Runs a command that fills the store (`what`: seed, import). The fill's load runs under the store's data-set
   * lease (`control.lease`), so it never replaces data in the middle of a migration, undo or restore: it is
   * refused with who holds the lease and since when, nothing written. The lease is checked inside the load's
   * write transaction, which keeps every other writer (a migration taking the lease included) out until the
   * commit; so the lease row is never written, and a failed load leaves the file byte for byte as it was.
   * SIGINT and SIGTERM abort the fill through `control.signal`: its load rolls back. When the database file did
   * not exist before and `fill` fails or is interrupted, the files it created (database, `-wal`, `-shm`) are
   * removed again, so a failed first run leaves no empty store behind. An existing empty file (one `mktemp` made)
   * becomes the new store too, and is emptied again when the fill fails; any other file must be a store already.
   */
  async fillStore<T>(what: string, fill: (target: BulkLoadTarget, control: FillControl) => Promise<T>): Promise<T> {
    const before = statSync(this.dbPath(), { throwIfNoEntry: false });
    const created = !before;
    const wasEmpty = before?.isFile() === true && before.size === 0;
    const controller = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => controller.abort(signal);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let backend: Backend | null = null;
    const holder = `${what}:${hostname()}:${process.pid}`;
    let filled = false;
    try {
      backend = this.openBackend({ emptyIsNew: true });
      const result = await fill(backend.bulkLoad, { signal: controller.signal, lease: { name: DATA_SET_LEASE, holder, now: this.now() } });
      filled = true;
      return result;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (backend) {
        await backend.close();
        if ((created || wasEmpty) && !filled && backend.adapter === 'sqlite') {
          for (const suffix of created ? ['', '-wal', '-shm'] : ['-wal', '-shm']) rmSync(`${backend.location}${suffix}`, { force: true });
          if (wasEmpty) truncateSync(backend.location, 0);
        }
      }
    }
  }

  /** The threshold table: overrides from the JSON file named by env `ONTOLOGY_THRESHOLDS`, else the defaults. */
  thresholds(): ThresholdTable {
    return loadThresholds(this.io.env.ONTOLOGY_THRESHOLDS?.trim() || undefined);
  }

  /** Prints a result: the JSON document with `--json`, else the text `render` makes of it. */
  print<T>(result: T, render: (result: T) => string): void {
    if (this.json) this.io.stdout(`${JSON.stringify(result, jsonReplacer, 2)}\n`);
    else this.io.stdout(`${render(result)}\n`);
  }

  /** Prints a progress or status line to stderr (never to stdout, which may carry the JSON document). */
  log(line: string): void {
    this.io.stderr(`${line}\n`);
  }
}

/**
 * JSON.stringify replacer: int64 values as JSON numbers when safe, else as strings; NaN and ±Infinity as
 * `{"$float": base64}` as in the uniform encoding (plain JSON would print them as null); bytes as `{"$bytes": base64}`.
 */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return JSON.parse(stringifyUniform(value)) as unknown;
  if (value instanceof ArrayBuffer) return { $bytes: Buffer.from(value).toString('base64') };
  return value;
}

/** Earliest instant accepted on the command line: 1970-01-01T00:00:00.000Z. */
export const MIN_INSTANT = 0;
/** Latest instant accepted on the command line: 9999-12-31T23:59:59.999Z (ISO 8601 has four-digit years). */
export const MAX_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Upper bounds of the whole-number options, so a typo cannot ask for a billion records or an endless list. */
export const NUMBER_LIMITS = {
  /** `--batch-size`: records per transaction (one Convex mutation must stay within its write limits). */
  batchSize: 10_000,
  /** `--limit`: rows listed. */
  listLimit: 10_000,
  /** `seed --entities`. */
  seedEntities: 5_000_000,
  /** `seed --seed`: a 32-bit seed. */
  seed: 0xffffffff,
  /** `--lease-ttl` in seconds: one day. */
  leaseTtlSeconds: 86_400,
} as const;

function instantError(name: string, raw: string, parsed: number): InvalidArgumentError {
  const text = raw.slice(0, 80);
  if (Number.isNaN(parsed)) return new InvalidArgumentError(`${name} must be an ISO 8601 date-time or epoch milliseconds, got "${text}".`);
  return new InvalidArgumentError(`${name} must be an instant from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, got "${text}".`);
}

/** ISO 8601 as the CLI takes it: a date, optionally a time (minutes, seconds, fractions) and a zone. */
const ISO_INSTANT = /^([+-]?\d{4,6})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * Why an ISO 8601 text names no instant on the calendar (month 13, 30 February, hour 24), or null when it names
 * one (or is not ISO 8601 at all). JavaScript's own parser rolls such dates over (2026-02-30 becomes 2 March)
 * instead of refusing them.
 */
export function calendarProblem(text: string): string | null {
  const match = ISO_INSTANT.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => (part === undefined ? 0 : Number(part))) as [number, number, number, number, number, number];
  if (month < 1 || month > 12) return 'months run from 01 to 12';
  const days = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeapYear(year) ? 1 : 0);
  if (day < 1 || day > days) return `${MONTHS[month - 1]} ${year} has ${days} days`;
  if (hour > 23) return 'hours run from 00 to 23';
  if (minute > 59) return 'minutes run from 00 to 59';
  if (second > 59) return 'seconds run from 00 to 59';
  const zone = match[7];
  if (zone && zone.toUpperCase() !== 'Z' && (Number(zone.slice(1, 3)) > 23 || Number(zone.replace(':', '').slice(3) || '0') > 59)) {
    return 'offsets run from -23:59 to +23:59';
  }
  return null;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Parses an instant given as ISO 8601 text or epoch milliseconds; `name` is the argument, for the error. Only
 * real dates from 1970 to year 9999 pass: a larger number would be stored and then break every later reading
 * of it ("Invalid time value"), and a date the calendar does not have (2026-02-30, 24:00:01) is refused rather
 * than rolled over to another day.
 */
export function parseInstant(raw: string, name: string): number {
  const trimmed = raw.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return checkedInstant(Number(trimmed), name, raw);
  // Only ISO 8601: other texts JavaScript would read too ("Feb 30 2026") roll over to another day as well.
  if (!ISO_INSTANT.test(trimmed)) return checkedInstant(Number.NaN, name, raw);
  const problem = calendarProblem(trimmed);
  if (problem) throw new InvalidArgumentError(`${name} must be a real date and time, got "${raw.slice(0, 80)}" (${problem}).`);
  return checkedInstant(Date.parse(trimmed), name, raw);
}

/** `ms` when it is an instant `parseInstant` accepts, else the error naming `name` and the raw text. */
function checkedInstant(ms: number, name: string, raw: string): number {
  if (!Number.isFinite(ms) || ms < MIN_INSTANT || ms > MAX_INSTANT || Number.isNaN(new Date(ms).getTime())) throw instantError(name, raw, ms);
  return ms;
}

/**
 * Parses an instant, or a duration from `now` (`2h`, `30m`, `1d`, `90s`): the end of a silence, a deadline. The
 * resulting instant is range-checked like `parseInstant`.
 */
export function parseInstantOrDuration(raw: string, name: string, now: number): number {
  const duration = /^\s*\d+(\.\d+)?\s*(s|m|h|d)\s*$/.test(raw) ? parseDuration(raw) : undefined;
  if (duration === undefined) return parseInstant(raw, name);
  return checkedInstant(now + duration, name, raw);
}

/** Parses a whole number from `min` to `max` given to `name`. */
export function parseWholeNumber(raw: string, name: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(raw);
  const whole = /^\d+$/.test(raw.trim());
  if (whole && value > max) throw new InvalidArgumentError(`${name} must be at most ${max}, got "${raw.slice(0, 80)}".`);
  if (!whole || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}, got "${raw.slice(0, 80)}".`);
  }
  return value;
}
