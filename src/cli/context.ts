/**
 * What every `ontology-ops` command shares: the global options (`--db`, `--json`, `--now`), opening the store,
 * and printing a result as exactly one JSON document or as readable text.
 */
import { existsSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { InvalidArgumentError, NotFoundError } from '../errors.ts';
import { stringifyUniform } from '../ontology/values.ts';
import { loadThresholds, type ThresholdTable } from '../quality/thresholds.ts';
import type { BulkLoadLease } from '../store/bulk-load.ts';
import { DATA_SET_LEASE } from '../store/port.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';

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
   * Opens the store. With `mustExist` (read-only commands), a missing file is an error that says how to create
   * one, instead of silently creating an empty store.
   */
  openStore(options: { mustExist?: boolean } = {}): SqliteStore {
    const path = this.dbPath();
    if (options.mustExist && !existsSync(path)) {
      throw new NotFoundError(
        `No store at ${path}: create one with \`ontology-ops seed\` or \`ontology-ops import <snapshot>\`, or pass --db <file>.`,
      );
    }
    return SqliteStore.open(path);
  }

  /**
   * Runs a command that fills the store (`what`: seed, import). The fill's load runs under the store's data-set
   * lease (`control.lease`), so it never replaces data in the middle of a migration, undo or restore: it is
   * refused with who holds the lease and since when, nothing written. The lease is checked inside the load's
   * write transaction, which keeps every other writer (a migration taking the lease included) out until the
   * commit; so the lease row is never written, and a failed load leaves the file byte for byte as it was.
   * SIGINT and SIGTERM abort the fill through `control.signal`: its load rolls back. When the database file did
   * not exist before and `fill` fails or is interrupted, the files it created (database, `-wal`, `-shm`) are
   * removed again, so a failed first run leaves no empty store behind.
   */
  async fillStore<T>(what: string, fill: (store: SqliteStore, control: FillControl) => Promise<T>): Promise<T> {
    const created = !existsSync(this.dbPath());
    const controller = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => controller.abort(signal);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let store: SqliteStore | null = null;
    const holder = `${what}:${hostname()}:${process.pid}`;
    let filled = false;
    try {
      store = this.openStore();
      const result = await fill(store, { signal: controller.signal, lease: { name: DATA_SET_LEASE, holder, now: this.now() } });
      filled = true;
      return result;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (store) {
        store.close();
        if (created && !filled) {
          for (const suffix of ['', '-wal', '-shm']) rmSync(`${store.location}${suffix}`, { force: true });
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

/** Parses an instant given as ISO 8601 text or epoch milliseconds; `name` is the argument, for the error. */
export function parseInstant(raw: string, name: string): number {
  const trimmed = raw.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const parsed = Date.parse(trimmed);
  if (Number.isNaN(parsed)) {
    throw new InvalidArgumentError(`${name} must be an ISO 8601 date-time or epoch milliseconds, got "${raw}".`);
  }
  return parsed;
}

/** Parses a whole number ≥ `min` given to `name`. */
export function parseWholeNumber(raw: string, name: string, min = 1): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}, got "${raw}".`);
  }
  return value;
}
