/**
 * The two generations of the ONE schema and where their names differ.
 *
 * current: table `entities`, connections `fromEntityId`/`toEntityId`.
 * legacy (pre-v1): table `things`, connections `fromThingId`/`toThingId`.
 * Both name the knowledge source `sourceThingId` and events `actorId`/`targetId`.
 */

/** The logical ontology tables every feature speaks of, whatever the physical naming. */
export const ONTOLOGY_TABLES = ['groups', 'entities', 'connections', 'events', 'knowledge'] as const;
/** A logical ontology table. */
export type OntologyTable = (typeof ONTOLOGY_TABLES)[number];

/** Which generation of the ONE schema a store or snapshot uses. */
export type NamingGeneration = 'current' | 'legacy';

/** The physical names of one generation. */
export interface Naming {
  generation: NamingGeneration;
  /** Physical name of the entities table: `entities` or `things`. */
  entitiesTable: 'entities' | 'things';
  /** Connection field naming the source entity. */
  fromField: 'fromEntityId' | 'fromThingId';
  /** Connection field naming the target entity. */
  toField: 'toEntityId' | 'toThingId';
}

export const CURRENT_NAMING: Naming = {
  generation: 'current',
  entitiesTable: 'entities',
  fromField: 'fromEntityId',
  toField: 'toEntityId',
};

export const LEGACY_NAMING: Naming = {
  generation: 'legacy',
  entitiesTable: 'things',
  fromField: 'fromThingId',
  toField: 'toThingId',
};

/** The naming of a generation. */
export function namingFor(generation: NamingGeneration): Naming {
  return generation === 'legacy' ? LEGACY_NAMING : CURRENT_NAMING;
}

/**
 * Detects the generation from the physical table names of a snapshot: `things` without `entities` is legacy;
 * anything else (including an empty snapshot) is current.
 */
export function detectNaming(tableNames: Iterable<string>): Naming {
  const names = new Set(tableNames);
  return names.has('things') && !names.has('entities') ? LEGACY_NAMING : CURRENT_NAMING;
}

/**
 * Maps a physical table name to its logical ontology table (`things` and `entities` both map to `entities`),
 * or undefined for a table outside the ontology (kept as-is, never checked).
 */
export function logicalTable(physicalName: string): OntologyTable | undefined {
  if (physicalName === 'things') return 'entities';
  return (ONTOLOGY_TABLES as readonly string[]).includes(physicalName) ? (physicalName as OntologyTable) : undefined;
}

/** The physical table name of a logical table under a naming. */
export function physicalTable(table: OntologyTable, naming: Naming): string {
  return table === 'entities' ? naming.entitiesTable : table;
}

/**
 * The from/to ids of a connection, read under either naming (a document may carry either pair of fields,
 * e.g. after a partial rename, so both are tried).
 */
export function connectionEndpoints(doc: Record<string, unknown>): { fromId: string | null; toId: string | null } {
  const fromId = doc.fromEntityId ?? doc.fromThingId;
  const toId = doc.toEntityId ?? doc.toThingId;
  return {
    fromId: typeof fromId === 'string' && fromId !== '' ? fromId : null,
    toId: typeof toId === 'string' && toId !== '' ? toId : null,
  };
}

/** A record "has a groupId" when the field is present, not null and not empty. Returns it, or null. */
export function groupIdOf(doc: Record<string, unknown>): string | null {
  const value = doc.groupId;
  if (value === undefined || value === null || value === '') return null;
  return typeof value === 'string' ? value : String(value);
}
