/**
 * The migration's pure rules, shared by every adapter (the SQLite batch and the Convex mutations import them):
 * which groupId a record gets and by which rule, which references the run makes cross-group, and what an
 * exact undo does with one journal entry given the record as it is now. No `node:` imports, no `Buffer`:
 * they run in a plain V8 isolate. Values are compared as their uniform JSON text.
 */
import type { AssignmentSource, MigratedTable, UndoOutcome } from './port.js';

/** Which rule each endpoint of a record counts as, in the order the rules try them. */
export const ENDPOINT_SOURCES: Record<MigratedTable, readonly [AssignmentSource, AssignmentSource]> = {
  entities: ['legacyDefault', 'legacyDefault'],
  connections: ['fromEntity', 'toEntity'],
  events: ['actor', 'target'],
  knowledge: ['sourceEntity', 'sourceEntity'],
};

/** The endpoint fields of a record, in the order the rules try them (entities have none). */
export const ENDPOINT_FIELDS: Record<MigratedTable, readonly string[]> = {
  entities: [],
  connections: ['fromEntityId', 'toEntityId'],
  events: ['actorId', 'targetId'],
  knowledge: ['sourceThingId'],
};

/** A groupId and the rule that gave it. */
export interface GroupAssignment {
  groupId: string;
  source: AssignmentSource;
}

/**
 * The groupId a record without one gets: its first endpoint's group when that entity has one, else its
 * second's, else the legacy-default group. `endpointGroups` are the endpoint entities' groupIds as they are
 * when the batch runs (undefined or null: no such entity, or one without a group).
 */
export function assignGroupId(
  table: MigratedTable,
  first: string | null | undefined,
  second: string | null | undefined,
  defaultGroupId: string,
): GroupAssignment {
  const [firstSource, secondSource] = ENDPOINT_SOURCES[table];
  if (first) return { groupId: first, source: firstSource };
  if (second) return { groupId: second, source: secondSource };
  return { groupId: defaultGroupId, source: 'legacyDefault' };
}

/**
 * An endpoint entity as the dry run sees it: undefined when it does not exist, else its groupId after the
 * entity pass (its own, else the legacy-default group, which every entity without one gets first).
 */
export function groupAfterEntityPass(exists: boolean, groupId: string | null, defaultGroupId: string): string | undefined {
  if (!exists) return undefined;
  return groupId ?? defaultGroupId;
}

/**
 * True when the run makes a reference cross-group: both endpoints exist, at least one has no groupId now, and
 * their groupIds after the entity pass differ. `defaultGroupId` may be a placeholder equal to no real id when
 * the run would create the group.
 */
export function becomesCrossGroup(
  first: { exists: boolean; groupId: string | null },
  second: { exists: boolean; groupId: string | null },
  defaultGroupId: string,
): boolean {
  if (!first.exists || !second.exists) return false;
  if (first.groupId !== null && second.groupId !== null) return false;
  return (first.groupId ?? defaultGroupId) !== (second.groupId ?? defaultGroupId);
}

/**
 * The group on the side of a reference `becomesCrossGroup` holds for that already has one: exactly one endpoint
 * has no groupId (two without one would both land in the legacy-default group), and that one lands there.
 */
export function crossGroupOtherSide(first: { groupId: string | null }, second: { groupId: string | null }): string {
  return (first.groupId ?? second.groupId)!;
}

/** One field of a journal entry: its value before the run and the value written (uniform JSON text). */
export interface JournalField {
  name: 'groupId' | 'schemaVersion';
  /** Null when the field was absent before the run. */
  before: string | null;
  written: string;
}

/** What to do with one field of a record to undo it. */
export type FieldRevert = { name: 'groupId' | 'schemaVersion'; action: 'remove' } | { name: 'groupId' | 'schemaVersion'; action: 'restore'; value: string };

/** How undoing one journal entry turns out, and which fields to change. */
export interface UndoClassification {
  outcome: UndoOutcome;
  /** Fields whose current value is no longer the one the run wrote (left alone). */
  conflictFields: string[];
  /** Field changes that revert the rest. */
  reverts: FieldRevert[];
}

/**
 * The undo classification: an entry is `missing` when the record is gone, `reverted` when every field it wrote
 * still holds the written value, `partial` when some do, `conflict` when none does. `current` maps each field
 * name to its current uniform JSON text (absent key: field absent); null when the record is gone.
 */
export function classifyUndo(fields: readonly JournalField[], current: Readonly<Record<string, string>> | null): UndoClassification {
  if (current === null) return { outcome: 'missing', conflictFields: [], reverts: [] };
  const conflictFields: string[] = [];
  const reverts: FieldRevert[] = [];
  for (const field of fields) {
    if (!Object.hasOwn(current, field.name) || current[field.name] !== field.written) {
      conflictFields.push(field.name);
      continue;
    }
    reverts.push(field.before === null ? { name: field.name, action: 'remove' } : { name: field.name, action: 'restore', value: field.before });
  }
  if (reverts.length === 0) return { outcome: 'conflict', conflictFields, reverts };
  return { outcome: conflictFields.length > 0 ? 'partial' : 'reverted', conflictFields, reverts };
}

/** Event types the migration writes itself; they never count as references to `legacy-default`. */
export const MIGRATION_EVENT_TYPES = ['migration_started', 'migration_completed', 'migration_failed', 'rollback_completed'] as const;
