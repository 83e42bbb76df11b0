/**
 * An independent, deliberately naive count of the integrity defects in a store (the definitions,
 * written out over all documents in memory), to check the seed's own bookkeeping against.
 */
import { connectionEndpoints, groupIdOf, ONTOLOGY_TABLES, type OntologyTable } from '../../src/ontology/naming.ts';
import { parseDocument, toNumber, type ConvexDocument } from '../../src/ontology/values.ts';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const YEAR_MS = 365 * 86_400_000;

function nonEmptyString(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

const RULES: Record<string, (properties: Record<string, unknown>) => boolean> = {
  creator: (p) => typeof p.role === 'string' && p.role.trim().length > 0,
  organization: (p) => nonEmptyString(p.plan),
  blog_post: (p) => nonEmptyString(p.title) && nonEmptyString(p.content),
  course: (p) => nonEmptyString(p.title) && nonEmptyString(p.description),
  product: (p) =>
    typeof p.price === 'number' && Number.isFinite(p.price) && p.price >= 0 && typeof p.currency === 'string' && /^[A-Z]{3}$/.test(p.currency),
};

/** All documents of every ontology table, parsed. */
export function loadAll(store: SqliteStore): Record<OntologyTable, ConvexDocument[]> {
  const out = {} as Record<OntologyTable, ConvexDocument[]>;
  for (const table of ONTOLOGY_TABLES) {
    const rows = store.database.prepare(`SELECT doc FROM ${table} ORDER BY rowid`).all() as { doc: string }[];
    out[table] = rows.map((row) => parseDocument(row.doc, 'uniform'));
  }
  return out;
}

/** The defect counts of a store, by the definitions. */
export function countDefects(store: SqliteStore, now: number) {
  const all = loadAll(store);
  const entityGroup = new Map<string, string | null>(all.entities.map((entity) => [entity._id, groupIdOf(entity)]));
  const crossGroup = (a: string | null, b: string | null) => {
    if (a === null || b === null || !entityGroup.has(a) || !entityGroup.has(b)) return false;
    const groupA = entityGroup.get(a)!;
    const groupB = entityGroup.get(b)!;
    return groupA !== null && groupB !== null && groupA !== groupB;
  };
  const missing = (docs: ConvexDocument[]) => docs.filter((doc) => groupIdOf(doc) === null).length;
  const orphanedConnections = all.connections.filter((connection) => {
    const { fromId, toId } = connectionEndpoints(connection);
    return !entityGroup.has(fromId ?? '') || !entityGroup.has(toId ?? '');
  }).length;
  const crossGroupConnections = all.connections.filter((connection) => {
    const { fromId, toId } = connectionEndpoints(connection);
    return crossGroup(fromId, toId);
  }).length;
  const crossGroupEvents = all.events.filter((event) =>
    crossGroup(typeof event.actorId === 'string' ? event.actorId : null, typeof event.targetId === 'string' ? event.targetId : null),
  ).length;
  const invalidValidity = all.connections.filter((connection) => {
    const from = toNumber(connection.validFrom);
    const to = toNumber(connection.validTo);
    return from !== undefined && to !== undefined && to < from;
  }).length;
  const invalidPaymentMetadata = all.events.filter((event) => {
    if (event.type !== 'payment_event') return false;
    const metadata = (event.metadata ?? {}) as Record<string, unknown>;
    const ok =
      metadata !== null &&
      ['x402', 'acp', 'ap2'].includes(metadata.protocol as string) &&
      ['requested', 'verified', 'processed'].includes(metadata.status as string) &&
      (typeof metadata.amount === 'number' || typeof metadata.amount === 'bigint');
    return !ok;
  }).length;
  const malformedProperties = all.entities.filter((entity) => {
    const rule = RULES[entity.type as string];
    if (!rule) return false;
    const properties = entity.properties;
    const object =
      properties !== null && typeof properties === 'object' && !Array.isArray(properties) && !(properties instanceof ArrayBuffer)
        ? (properties as Record<string, unknown>)
        : {};
    return !rule(object);
  }).length;
  const v1Entities = all.entities.filter((entity) => (toNumber(entity.schemaVersion) ?? 0) >= 1).length;
  const old = all.events.filter((event) => (toNumber(event.timestamp) ?? Infinity) < now - YEAR_MS);
  return {
    orphanedConnections,
    orphanedKnowledge: all.knowledge.filter(
      (knowledge) => typeof knowledge.sourceThingId === 'string' && !entityGroup.has(knowledge.sourceThingId),
    ).length,
    crossGroupConnections,
    crossGroupEvents,
    missingGroupIds: {
      entities: missing(all.entities),
      connections: missing(all.connections),
      events: missing(all.events),
      knowledge: missing(all.knowledge),
    },
    invalidValidity,
    invalidPaymentMetadata,
    malformedProperties,
    v1Entities,
    knowledgeWithSource: all.knowledge.filter((knowledge) => typeof knowledge.sourceThingId === 'string').length,
    paymentEvents: all.events.filter((event) => event.type === 'payment_event').length,
    eventsOlderThanYear: old.length,
    archivedEventsOlderThanYear: old.filter((event) => event.archived === true).length,
  };
}
