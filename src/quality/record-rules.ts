/**
 * What makes one record orphaned, cross-group or old, as pure functions over the few fields a rule reads and
 * the entities the record references. Both store adapters call these: the SQLite scan to judge and describe the
 * records it reports, the Convex page functions (through `DocumentScan`) for every record of a page. They run in
 * a plain V8 isolate: no `Buffer`, no `node:` modules.
 *
 * A reference is resolved by the adapter before a rule runs (SQLite with a join, Convex with `db.get` on the
 * page's referenced ids) and handed in as an `EntityLookup`, so no rule ever waits on storage.
 */
import { decodeFloatObject, toNumber } from './numbers.js';

/** One year in milliseconds, as the archival metric counts it (365 days; leap days are not special). */
export const ARCHIVAL_AGE_MS = 365 * 24 * 60 * 60 * 1000;

/** What a rule needs to know about an entity a record references: it exists, and its own groupId (or null). */
export interface ReferencedEntity {
  groupId: string | null;
}

/** Answers for a referenced entity id: the entity (of any group), or null when no entity has that id. */
export type EntityLookup = (entityId: string) => ReferencedEntity | null;

/** The two ends of a connection (`connectionEndpoints` reads them under either naming). */
export interface ConnectionEndpoints {
  fromId: string | null;
  toId: string | null;
}

/** The two entities an event names. */
export interface EventReferences {
  actorId: string | null;
  targetId: string | null;
}

/** Which end of a connection a rule complains about. */
export type ConnectionEnd = 'from' | 'to';

/**
 * The verdict on a connection: orphaned (an end is missing or names no existing entity; `missing` lists those
 * ends), cross-group (both ends exist and carry different groupIds), or sound. An orphaned connection is never
 * also cross-group.
 */
export type ConnectionVerdict =
  | { kind: 'orphaned'; missing: ConnectionEnd[] }
  | { kind: 'crossGroup'; fromGroupId: string; toGroupId: string }
  | { kind: 'sound' };

/** The verdict on an event: cross-group (actor and target exist and carry different groupIds) or sound. */
export type EventVerdict = { kind: 'crossGroup'; actorGroupId: string; targetGroupId: string } | { kind: 'sound' };

/** A string field as the rules read it: a non-empty string, else null. */
export function referenceId(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The actor and target ids of an event document. */
export function eventReferences(doc: Record<string, unknown>): EventReferences {
  return { actorId: referenceId(doc.actorId), targetId: referenceId(doc.targetId) };
}

/** The `sourceThingId` of a knowledge document (null when absent or not a non-empty string). */
export function knowledgeSource(doc: Record<string, unknown>): string | null {
  return referenceId(doc.sourceThingId);
}

function lookUp(id: string | null, lookupEntity: EntityLookup): ReferencedEntity | null {
  return id === null ? null : lookupEntity(id);
}

/** True when two existing entities both carry a groupId and the groupIds differ. */
function inDifferentGroups(a: ReferencedEntity | null, b: ReferencedEntity | null): boolean {
  return a !== null && b !== null && a.groupId !== null && b.groupId !== null && a.groupId !== b.groupId;
}

/** Judges a connection by its ends. */
export function classifyConnection(endpoints: ConnectionEndpoints, lookupEntity: EntityLookup): ConnectionVerdict {
  const from = lookUp(endpoints.fromId, lookupEntity);
  const to = lookUp(endpoints.toId, lookupEntity);
  if (from === null || to === null) {
    const missing: ConnectionEnd[] = [];
    if (from === null) missing.push('from');
    if (to === null) missing.push('to');
    return { kind: 'orphaned', missing };
  }
  if (inDifferentGroups(from, to)) return { kind: 'crossGroup', fromGroupId: from.groupId!, toGroupId: to.groupId! };
  return { kind: 'sound' };
}

/** Judges an event by its actor and target (an event missing either, or naming no entity, is not cross-group). */
export function classifyEvent(references: EventReferences, lookupEntity: EntityLookup): EventVerdict {
  const actor = lookUp(references.actorId, lookupEntity);
  const target = lookUp(references.targetId, lookupEntity);
  if (inDifferentGroups(actor, target)) return { kind: 'crossGroup', actorGroupId: actor!.groupId!, targetGroupId: target!.groupId! };
  return { kind: 'sound' };
}

/** True when a knowledge record names a source entity that does not exist (no source at all is fine). */
export function isOrphanedSource(sourceThingId: string | null, lookupEntity: EntityLookup): boolean {
  return sourceThingId !== null && lookupEntity(sourceThingId) === null;
}

/** True when an event's numeric `timestamp` lies more than `ARCHIVAL_AGE_MS` before `now`. */
export function isOlderThanArchivalAge(timestamp: unknown, now: number): boolean {
  const time = toNumber(decodeFloatObject(timestamp));
  return time !== undefined && time < now - ARCHIVAL_AGE_MS;
}
