/**
 * One page of a quality check, judged with the same pure rules the SQLite adapter uses (`DocumentScan` from
 * `src/quality/`, imported, never copied). A page covers records of one table in creation order (through
 * `by_group` for a group scope), from a position after the previous page, and stops when the next record might
 * not fit half of Convex's limits:
 *
 * - index ranges: 1 (the table's range) + 3 (naming) + at most 2 `db.get` per record (connection ends, event
 *   actor/target; 1 for knowledge, 0 for entities); with `MAX_RECORDS_PER_PAGE` = 1,000 records that is ≤ 2,004,
 *   within 2,048; referenced entities are fetched once per page (cached);
 * - documents scanned: 1,000 records + 2,000 lookups + 3 = 3,003, within 16,000;
 * - bytes: counted as read (`getDocumentSize`); the page reads the next record only while 1 MiB more fits, and
 *   judges it only while its look-ups of entities not yet read in this page fit at 1 MiB each, so a page reads at
 *   most 8 MiB, and entities referenced by many records of a page are read (and counted) once.
 *
 * The position is `{ table, after, skip }`: the `_creationTime` of the last record judged and how many records
 * with exactly that creation time were judged (Convex gives a table's documents distinct creation times, but the
 * count keeps the position exact either way).
 */
import type { GenericDatabaseReader } from 'convex/server';
import { ConvexError } from 'convex/values';
import type { DataModel } from '../_generated/dataModel.js';
import { groupIdOf, connectionEndpoints, namingFor } from '../../src/ontology/naming.js';
import { DocumentScan } from '../../src/quality/document-scan.js';
import { scanTablesOf, type CheckScope, type ScanResult, type ScanTable } from '../../src/quality/port.js';
import { eventReferences, knowledgeSource, type ReferencedEntity } from '../../src/quality/record-rules.js';
import { HALF_LIMITS, ReadBudget, type ReadLimits } from './budget.js';
import { physicalTableOf, readNaming } from './tables.js';

/** Records judged per page at most (see the module comment for the arithmetic). */
export const MAX_RECORDS_PER_PAGE = 1_000;

/** Where a scan continues. */
export interface ScanPosition {
  table: ScanTable;
  /** `_creationTime` of the last record judged in `table`, null at its start. */
  after: number | null;
  /** Records with creation time `after` already judged. */
  skip: number;
}

/** What one page answers. */
export interface CheckPageResult {
  result: ScanResult;
  /** The position to continue from (encoded by `encodePosition`), null when the scope is done. */
  continueCursor: string | null;
}

/** The cursor text of a position. */
export function encodePosition(position: ScanPosition): string {
  return JSON.stringify({ v: 1, table: position.table, after: position.after, skip: position.skip });
}

/** The position of a cursor this module handed out for `scope`; a `ConvexError` `InvalidArgument` otherwise. */
export function decodePosition(cursor: string, scope: Pick<CheckScope, 'tables'>): ScanPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(cursor);
  } catch {
    parsed = null;
  }
  const candidate = parsed as { v?: unknown; table?: unknown; after?: unknown; skip?: unknown } | null;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    candidate.v !== 1 ||
    !scanTablesOf(scope).includes(candidate.table as ScanTable) ||
    !(candidate.after === null || (typeof candidate.after === 'number' && Number.isFinite(candidate.after))) ||
    !(typeof candidate.skip === 'number' && Number.isSafeInteger(candidate.skip) && candidate.skip >= 0)
  ) {
    throw new ConvexError({ code: 'InvalidArgument', message: `The scan cursor "${cursor}" was not handed out by this deployment for this scope` });
  }
  return { table: candidate.table as ScanTable, after: candidate.after as number | null, skip: candidate.skip as number };
}

/** `db.get` calls a record of `table` needs for the scope's categories. */
function lookupsOf(table: ScanTable, scope: CheckScope): number {
  const selected = new Set(scope.categories);
  if (table === 'connections') return selected.has('orphaned') || selected.has('crossGroup') ? 2 : 0;
  if (table === 'events') return selected.has('crossGroup') ? 2 : 0;
  if (table === 'knowledge') return selected.has('orphaned') ? 1 : 0;
  return 0;
}

/** The entity ids a record of `table` references. */
function referencedIds(table: ScanTable, doc: Record<string, unknown>): (string | null)[] {
  if (table === 'connections') {
    const { fromId, toId } = connectionEndpoints(doc);
    return [fromId, toId];
  }
  if (table === 'events') {
    const { actorId, targetId } = eventReferences(doc);
    return [actorId, targetId];
  }
  if (table === 'knowledge') return [knowledgeSource(doc)];
  return [];
}

/**
 * Judges one page of `scope` from `cursor` (null: the start): at most `maxRecords` records, fewer when the
 * budget `limits` would not fit the next. The `checks:scanPage` function keeps `maxRecords` ≤
 * `MAX_RECORDS_PER_PAGE` and `limits` at `HALF_LIMITS`; other values are for tests that show what the bounds
 * prevent.
 */
export async function checkPage(
  db: GenericDatabaseReader<DataModel>,
  scope: CheckScope,
  cursor: string | null,
  maxRecords: number,
  limits: ReadLimits = HALF_LIMITS,
): Promise<CheckPageResult> {
  const tables = scanTablesOf(scope);
  const position: ScanPosition | null = cursor === null ? (tables[0] === undefined ? null : { table: tables[0], after: null, skip: 0 }) : decodePosition(cursor, scope);
  const budget = new ReadBudget(limits);
  const naming = await readNaming(db, budget);
  const scan = new DocumentScan(scope, namingFor(naming));
  if (position === null) return { result: scan.result(), continueCursor: null };

  const { table, after, skip } = position;
  const physical = physicalTableOf(table, naming);
  const entities = physicalTableOf('entities', naming);
  const groupId = scope.groupId;
  const source = db.query(physical as 'entities');
  const query =
    groupId !== null
      ? source.withIndex('by_group', (q) => (after === null ? q.eq('groupId', groupId) : q.eq('groupId', groupId).gte('_creationTime', after)))
      : source.withIndex('by_creation_time', (q) => (after === null ? q : q.gte('_creationTime', after)));
  budget.range();

  const lookups = lookupsOf(table, scope);
  const known = new Map<string, ReferencedEntity | null>();
  const lookupEntity = (id: string) => known.get(id) ?? null;
  let records = 0;
  let skipped = 0;
  let last: number | null = after;
  let sameTime = skip;
  let finished = true;
  const stream = query[Symbol.asyncIterator]();
  for (;;) {
    // The next record (≤ 1 MiB) must fit before it is read.
    if (!budget.fits(0, 1)) {
      finished = false;
      break;
    }
    const next = await stream.next();
    if (next.done) break;
    const doc = next.value;
    budget.read(doc);
    if (after !== null && doc._creationTime === after && skipped < skip) {
      skipped++;
      continue;
    }
    // Its look-ups of entities not yet read in this page (≤ 1 MiB each) must fit too, else the page ends before
    // it. The first record always fits: naming ≤ 2 MiB + the record + two look-ups ≤ 5 MiB.
    const ids = lookups > 0 ? referencedIds(table, doc) : [];
    const unread = ids.filter((id) => id !== null && !known.has(id) && db.normalizeId(entities, id) !== null).length;
    if (records > 0 && !budget.fits(unread, unread)) {
      finished = false;
      break;
    }
    if (lookups > 0) {
      for (const id of ids) {
        if (id === null || known.has(id)) continue;
        const entityId = db.normalizeId(entities, id);
        if (entityId === null) {
          known.set(id, null);
          continue;
        }
        budget.range();
        const entity = await db.get(entityId);
        budget.read(entity);
        known.set(id, entity === null ? null : { groupId: groupIdOf(entity) });
      }
    }
    scan.add(table, doc as never, lookupEntity);
    records++;
    if (doc._creationTime === last) sameTime++;
    else {
      last = doc._creationTime;
      sameTime = 1;
    }
    if (records >= maxRecords) {
      finished = false;
      break;
    }
  }
  if (!finished) return { result: scan.result(), continueCursor: encodePosition({ table, after: last, skip: sameTime }) };
  const next = tables[tables.indexOf(table) + 1];
  return { result: scan.result(), continueCursor: next === undefined ? null : encodePosition({ table: next, after: null, skip: 0 }) };
}
