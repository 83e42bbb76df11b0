/**
 * What `fix orphans` does to one record, as pure functions both adapters call (the SQLite fix store and the
 * `convex/fix.ts` functions): which referenced ids are missing (the quality rules' own verdict), the archive
 * document an orphaned connection becomes, and the knowledge document without its dead link. They run in a
 * plain V8 isolate: no `Buffer`, no `node:` imports.
 */
import { connectionEndpoints } from '../ontology/naming.js';
import type { ConvexValue } from '../ontology/values.js';
import { classifyConnection, isOrphanedSource, knowledgeSource, type EntityLookup } from '../quality/record-rules.js';
import { NO_ID, type OrphanTable } from './port.js';

/**
 * The ids a record references that name no entity (`NO_ID` for a connection end that is absent), or null when
 * the record is not orphaned. `exists` answers whether an entity with that id exists.
 */
export function missingReferences(table: OrphanTable, doc: Record<string, unknown>, exists: (entityId: string) => boolean): string[] | null {
  const lookup: EntityLookup = (id) => (exists(id) ? { groupId: null } : null);
  if (table === 'connections') {
    const ends = connectionEndpoints(doc);
    const verdict = classifyConnection(ends, lookup);
    if (verdict.kind !== 'orphaned') return null;
    return verdict.missing.map((end) => (end === 'from' ? ends.fromId : ends.toId) ?? NO_ID);
  }
  const source = knowledgeSource(doc);
  return isOrphanedSource(source, lookup) ? [source!] : null;
}

/** The referenced entity ids of a record that a store must look up to judge it. */
export function referencedIds(table: OrphanTable, doc: Record<string, unknown>): string[] {
  if (table === 'connections') {
    const { fromId, toId } = connectionEndpoints(doc);
    return [fromId, toId].filter((id): id is string => id !== null);
  }
  const source = knowledgeSource(doc);
  return source === null ? [] : [source];
}

/** The fields of the archive document of an orphaned connection (without the archive's own `_id`). */
export function archiveFields(connection: Record<string, ConvexValue>, missingIds: string[], fixRunId: string, archivedAt: number): Record<string, ConvexValue> {
  const { _id, _creationTime, ...fields } = connection;
  return {
    connectionId: _id as string,
    connectionCreationTime: _creationTime as number,
    connection: fields,
    missingIds,
    fixRunId,
    archivedAt,
  };
}

/** A knowledge document without its dead link (`sourceThingId` removed; every other field as it was). */
export function unlinkedKnowledge<T extends Record<string, ConvexValue>>(doc: T): T {
  const { sourceThingId: _dead, ...rest } = doc;
  return rest as T;
}
