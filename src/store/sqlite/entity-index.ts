/**
 * The entity ids of one snapshot in id order, built once per platform-wide scan and shared by every check thread
 * (its arrays live in SharedArrayBuffers, so posting it to a thread copies nothing): the UTF-8 bytes of the ids,
 * where each id starts, and each id's entity rowid. A reference column read in its own index order (the same
 * byte order, SQLite's BINARY collation) is resolved against it by walking both lists once, instead of probing
 * the entity id index once per distinct id.
 *
 * Both lists are read as one `group_concat` each (newline-separated). When an id holds a newline, or a list
 * does not come back in ascending order, the walk would be wrong: the functions here then answer null and the
 * caller resolves that column with a SQL join instead.
 */
import type Database from 'better-sqlite3';

/** Entity ids in ascending byte order with their rowids; every array is backed by shared memory. */
export interface EntityIndex {
  /** How many ids. */
  count: number;
  /** The ids' UTF-8 bytes, one after the other. */
  bytes: Uint8Array;
  /** Id `i` is `bytes[starts[i] .. starts[i + 1] - 1]` (one more start than ids, for the end). */
  starts: Int32Array;
  /** Rowid of the entity with id `i`. */
  rowids: Int32Array;
}

const NEWLINE = 10;
const COMMA = 44;

function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, length) * Int32Array.BYTES_PER_ELEMENT));
}

/** The rowids of a comma-separated list (what `group_concat(rowid)` returns), or null when it has not `count`. */
function rowidList(list: string | null, into: Int32Array, count: number): boolean {
  if (count === 0) return list === null || list === '';
  if (list === null) return false;
  let value = 0;
  let index = 0;
  for (let position = 0; position < list.length; position++) {
    const code = list.charCodeAt(position);
    if (code === COMMA) {
      if (index >= count) return false;
      into[index++] = value;
      value = 0;
    } else {
      value = value * 10 + (code - 48);
    }
  }
  if (index !== count - 1) return false;
  into[index] = value;
  return true;
}

/** Where each newline-separated item of `bytes` starts (plus the end), or null when there are not `count` items. */
function itemStarts(bytes: Uint8Array, count: number, into: Int32Array): boolean {
  if (count === 0) return bytes.length === 0;
  into[0] = 0;
  let item = 0;
  // indexOf is a native search, several times faster than a loop over the bytes.
  for (let position = bytes.indexOf(NEWLINE); position >= 0; position = bytes.indexOf(NEWLINE, position + 1)) {
    item++;
    if (item >= count) return false;
    into[item] = position + 1;
  }
  if (item !== count - 1) return false;
  // The end of the last item, one past it as if a newline followed.
  into[count] = bytes.length + 1;
  return true;
}

/** memcmp-then-length order (SQLite's BINARY collation) of `a[aStart, aEnd)` and `b[bStart, bEnd)`. */
function compareBytes(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
  const length = Math.min(aEnd - aStart, bEnd - bStart);
  for (let offset = 0; offset < length; offset++) {
    const difference = a[aStart + offset]! - b[bStart + offset]!;
    if (difference !== 0) return difference;
  }
  return aEnd - aStart - (bEnd - bStart);
}

/** Reads the entity ids of the current snapshot into a shared index; null when they cannot be walked (see above). */
export function buildEntityIndex(database: Database.Database): EntityIndex | null {
  const [blob, rowidText, count] = database
    .prepare(
      `SELECT CAST(group_concat(id, char(10)) AS BLOB), group_concat(rowid), count(*)
       FROM entities INDEXED BY sqlite_autoindex_entities_1`,
    )
    .raw(true)
    .get() as [Buffer | null, string | null, number];
  const bytes = new Uint8Array(new SharedArrayBuffer(Math.max(1, blob?.length ?? 0)), 0, blob?.length ?? 0);
  if (blob) bytes.set(blob);
  const starts = sharedInt32(count + 1);
  const rowids = sharedInt32(count);
  if (!itemStarts(bytes, count, starts) || !rowidList(rowidText, rowids, count)) return null;
  for (let item = 1; item < count; item++) {
    if (compareBytes(bytes, starts[item - 1]!, starts[item]! - 1, bytes, starts[item]!, starts[item + 1]! - 1) >= 0) return null;
  }
  return { count, bytes, starts, rowids };
}

/**
 * Resolves one reference column through the index: for each row with the column set, the rowid of the entity
 * it names (0 when none exists), written into `entityOf` (indexed by the row's rowid). `orderedBy` is an index
 * whose first column is the reference column. Answers false, writing nothing, when the column cannot be walked.
 */
export function resolveThroughIndex(
  database: Database.Database,
  entities: EntityIndex,
  table: string,
  field: string,
  orderedBy: string,
  entityOf: Int32Array,
): boolean {
  const [blob, rowidText, count] = database
    .prepare(
      `SELECT CAST(group_concat(${field}, char(10)) AS BLOB), group_concat(rowid), count(*)
       FROM ${table} INDEXED BY ${orderedBy} WHERE ${field} IS NOT NULL`,
    )
    .raw(true)
    .get() as [Buffer | null, string | null, number];
  const bytes = blob ?? new Uint8Array(0);
  const starts = new Int32Array(count + 1);
  const rowids = new Int32Array(count);
  if (!itemStarts(bytes, count, starts) || !rowidList(rowidText, rowids, count)) return false;
  const entityCount = entities.count;
  const resolved = new Int32Array(count);
  let entity = 0;
  for (let item = 0; item < count; item++) {
    const start = starts[item]!;
    const end = starts[item + 1]! - 1;
    if (item > 0 && compareBytes(bytes, starts[item - 1]!, start - 1, bytes, start, end) > 0) return false;
    let order = 1;
    while (entity < entityCount) {
      order = compareBytes(entities.bytes, entities.starts[entity]!, entities.starts[entity + 1]! - 1, bytes, start, end);
      if (order >= 0) break;
      entity++;
    }
    resolved[item] = order === 0 ? entities.rowids[entity]! : 0;
  }
  for (let item = 0; item < count; item++) entityOf[rowids[item]!] = resolved[item]!;
  return true;
}
