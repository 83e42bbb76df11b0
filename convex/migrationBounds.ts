/**
 * Bounds, positions and small helpers of the migration functions (`convex/migration.ts`). Every page size here
 * keeps its function's worst case at or below half of each Convex transaction limit (4,096 index ranges,
 * 32,000 documents read, 16 MiB read, 16,000 documents / 16 MiB written); the arithmetic is next to each one.
 *
 * Positions: a record position is `"<creationTime>:<skip>"` — the `_creationTime` of the last record looked
 * at and how many records with exactly that creation time were looked at (the same scheme as the check pages,
 * exact even when two documents share a creation time). A journal position is the decimal `seq` of the last
 * entry looked at. Both are opaque to the port's callers.
 */
import { ConvexError, type Value } from 'convex/values';
import type { GenericDatabaseReader, GenericDatabaseWriter } from 'convex/server';
import type { DataModel } from './_generated/dataModel.js';
import { HALF_LIMITS, type ReadBudget, type ReadLimits } from './lib/budget.js';

/**
 * Records a migration batch changes at most. Index ranges: lease 1 + run 1 + naming 3 + journal head 1 +
 * the table's range 1 + two endpoint `db.get`s per record (connections, events) = 7 + 2 × 1,000 = 2,007 ≤ 2,048.
 * Documents written: the patch and its journal entry per record + the run + the lease = 2,002 ≤ 8,000.
 */
export const MAX_BATCH_RECORDS = 1_000;

/**
 * Records a batch may look at (pending or not). Documents read: 8,000 records + 2,000 endpoints + 6 ≤ 16,000.
 */
export const MAX_BATCH_SCAN = 8_000;

/**
 * The read budget of a batch or undo batch: half of every read limit. Bytes written stay within half too: a
 * batch writes each record it patches once (no larger than read, + the two fields), and the naming look-up is
 * charged 3 MiB up front that it never writes, so the records read are ≤ 8 − 3 = 5 MiB; with ~0.3 KiB of journal
 * per record (≤ 0.3 MiB), the lease and the run, a batch writes ≤ 5.5 MiB ≤ 8 MiB.
 */
export const WRITE_STEP_LIMITS: ReadLimits = HALF_LIMITS;

/**
 * Records a count page looks at: one index range (+3 naming), 8,000 documents ≤ 16,000; bytes stop at half.
 */
export const COUNT_PAGE_RECORDS = 8_000;

/** Records a plan page judges: 1 + 3 + two endpoint reads per record = 2,004 ≤ 2,048 index ranges. */
export const PLAN_PAGE_RECORDS = 1_000;

/**
 * References a cross-group page judges: two endpoint reads and up to two journal look-ups per record,
 * 1 + 3 + 1 + 4 × 500 = 2,005 ≤ 2,048 index ranges.
 */
export const CROSS_GROUP_PAGE_RECORDS = 500;

/**
 * Journal entries an undo batch (or a "still holds what it wrote" page) reads: one record `db.get` each,
 * 1,000 + 7 ≤ 2,048 index ranges; two writes each (the record and the entry's outcome) = 2,000 + 2 ≤ 8,000.
 */
export const MAX_UNDO_ENTRIES = 1_000;

/** Documents a reference or conflict count page reads (`paginate`, one index range): 8,000 ≤ 16,000. */
export const COUNT_PAGE_DOCUMENTS = 8_000;

/** Bytes such a page reads before it stops (`maximumBytesRead`): 4 MiB + the one crossing it (≤ 1 MiB) ≤ 8 MiB. */
export const COUNT_PAGE_BYTES = 4 * 1024 * 1024;

/** Runs one call may change or read at most (`markSuperseded`, `finishRestore`): 1,000 ≤ 8,000 writes. */
export const MAX_RUNS_PER_CALL = 1_000;

/** Where a scan of a table continues. */
export interface RecordPosition {
  /** `_creationTime` of the last record looked at, null at the table's start. */
  after: number | null;
  /** Records with creation time `after` looked at. */
  skip: number;
}

/** The start of a table. */
export const TABLE_START: RecordPosition = { after: null, skip: 0 };

function invalid(what: string, cursor: string): ConvexError<{ code: string; message: string }> {
  return new ConvexError({ code: 'InvalidArgument', message: `${what} "${cursor}" was not handed out by this deployment: pass back a cursor it returned, or null to start` });
}

/** The cursor text of a record position (null at the start). */
export function encodeRecordPosition(position: RecordPosition): string | null {
  return position.after === null ? null : `${position.after}:${position.skip}`;
}

/** The record position of a cursor (null: the start); a `ConvexError` `InvalidArgument` for any other text. */
export function decodeRecordPosition(cursor: string | null, what = 'cursor'): RecordPosition {
  if (cursor === null) return TABLE_START;
  const match = /^(\d+(?:\.\d+)?):(\d+)$/.exec(cursor);
  const after = match ? Number(match[1]) : NaN;
  const skip = match ? Number(match[2]) : NaN;
  if (!Number.isFinite(after) || !Number.isSafeInteger(skip)) throw invalid(what, cursor);
  return { after, skip };
}

/** The later of two positions. */
export function laterPosition(a: RecordPosition, b: RecordPosition): RecordPosition {
  if (a.after === null) return b;
  if (b.after === null) return a;
  if (a.after !== b.after) return a.after > b.after ? a : b;
  return a.skip >= b.skip ? a : b;
}

/** Tracks a walk over a table in creation order from a position: which records to skip, and where it is. */
export class RecordWalk {
  private skipped = 0;
  position: RecordPosition;

  constructor(private readonly start: RecordPosition) {
    this.position = start;
  }

  /** True for a record the previous call already looked at (same creation time, within `skip`). */
  alreadySeen(creationTime: number): boolean {
    if (this.start.after !== null && creationTime === this.start.after && this.skipped < this.start.skip) {
      this.skipped++;
      return true;
    }
    return false;
  }

  /** Moves the position past a record. */
  lookedAt(creationTime: number): void {
    this.position = creationTime === this.position.after ? { after: creationTime, skip: this.position.skip + 1 } : { after: creationTime, skip: 1 };
  }
}

type Reader = GenericDatabaseReader<DataModel>;

/** The records of a physical table from `position` on, in creation order (one index range). */
export function recordsFrom(db: Reader, table: string, position: RecordPosition) {
  return db.query(table as 'entities').withIndex('by_creation_time', (q) => (position.after === null ? q : q.gte('_creationTime', position.after)));
}

/** The decimal journal position of a cursor (0: the start). */
export function decodeJournalPosition(cursor: string | null, what = 'journal cursor'): number {
  if (cursor === null) return 0;
  if (!/^\d+$/.test(cursor) || !Number.isSafeInteger(Number(cursor))) throw invalid(what, cursor);
  return Number(cursor);
}

/** The cursor text of a journal position (null at the start). */
export function encodeJournalPosition(seq: number): string | null {
  return seq > 0 ? String(seq) : null;
}

/** The highest journal `seq` so far, 0 when the journal is empty (one index range, one small document). */
export async function journalHead(db: Reader, budget?: ReadBudget): Promise<number> {
  budget?.range();
  const last = await db.query('undoJournal').withIndex('by_seq').order('desc').first();
  budget?.read(last);
  return last?.seq ?? 0;
}

/**
 * A `groupId` or `schemaVersion` value as uniform JSON text, as the SQLite journal writes it: a string as JSON,
 * an int64 as its digits, a finite float64 with a decimal point. (`src/ontology/values.ts` uses `Buffer`, which a
 * Convex isolate lacks; these two fields only ever hold strings and numbers.)
 */
export function uniformText(value: Value): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0)) {
    return Number.isInteger(value) && Math.abs(value) < 1e21 ? `${value}.0` : String(value);
  }
  if (typeof value === 'boolean' || value === null) return JSON.stringify(value);
  throw new ConvexError({ code: 'InvalidArgument', message: `A migrated field holds a value the journal cannot record (${typeof value})` });
}

/** The value of uniform JSON text written by `uniformText`. */
export function fromUniformText(text: string): Value {
  if (/^-?\d+$/.test(text)) return BigInt(text);
  return JSON.parse(text) as Value;
}

/** The store setting `key`: set, cleared or left as is. */
export async function changeSetting(db: GenericDatabaseWriter<DataModel>, key: string, change: { set: string } | 'clear' | 'keep'): Promise<void> {
  if (change === 'keep') return;
  const row = await db
    .query('storeMeta')
    .withIndex('by_key', (q) => q.eq('key', key))
    .unique();
  if (change === 'clear') {
    if (row !== null) await db.delete(row._id);
  } else if (row === null) await db.insert('storeMeta', { key, value: change.set });
  else await db.patch(row._id, { value: change.set });
}
