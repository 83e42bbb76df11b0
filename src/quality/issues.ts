/**
 * The issue objects of every category: category, severity, physical table, record id, the record's own
 * groupId, the text and the metadata (ids and field names only, never values). Pure and shared: the SQLite
 * scan and the Convex page functions build every issue here, so the two adapters report a record alike.
 */
import type { Naming } from '../ontology/naming.js';
import { severityOf, type Category } from './categories.js';
import type { ScanTable } from './port.js';
import type { ConnectionEndpoints, ConnectionEnd, EventReferences } from './record-rules.js';
import type { IssueMetadata, QualityIssue } from './tally.js';

/** The record an issue is about. */
export interface IssueRecord {
  /** Logical table of the record. */
  table: ScanTable;
  /** The record's `_id`. */
  id: string;
  /** The record's own groupId, or null. */
  groupId: string | null;
}

/** What an issue's wording and severity depend on besides the record. */
export interface IssueContext {
  /** The store's naming: physical entities table and connection field names. */
  naming: Naming;
  /** Missing groupIds are critical once the v1 migration has completed, info before. */
  v1MigrationCompleted: boolean;
}

const SUBJECTS: Record<ScanTable, string> = {
  entities: 'Entity',
  connections: 'Connection',
  events: 'Event',
  knowledge: 'Knowledge record',
};

function issue(category: Category, record: IssueRecord, description: string, metadata: IssueMetadata, context: IssueContext): QualityIssue {
  return {
    category,
    severity: severityOf(category, context),
    table: record.table === 'entities' ? context.naming.entitiesTable : record.table,
    recordId: record.id,
    groupId: record.groupId,
    description,
    metadata,
  };
}

/** A record of any table without a groupId: "Entity E has no groupId." */
export function missingGroupIdIssue(record: IssueRecord, context: IssueContext): QualityIssue {
  return issue('missingGroupId', record, `${SUBJECTS[record.table]} ${record.id} has no groupId.`, {}, context);
}

/** An entity whose properties break its type's rule in `fields` (as `malformedPropertyFields` names them). */
export function malformedPropertiesIssue(record: IssueRecord, entityType: string, fields: string[], context: IssueContext): QualityIssue {
  return issue(
    'malformedProperties',
    record,
    `Entity ${record.id} of type ${entityType} breaks its property rule in ${fields.join(', ')}.`,
    { entityType, fields },
    context,
  );
}

/**
 * A connection with ends that are missing or name no existing entity (`missing`, from `classifyConnection`):
 * "Connection C has no fromEntityId; its toEntityId Y, which names no existing entity."
 */
export function orphanedConnectionIssue(
  record: IssueRecord,
  endpoints: ConnectionEndpoints,
  missing: readonly ConnectionEnd[],
  context: IssueContext,
): QualityIssue {
  const { fromField, toField } = context.naming;
  const ends: [ConnectionEnd, string, string | null][] = [
    ['from', fromField, endpoints.fromId],
    ['to', toField, endpoints.toId],
  ];
  const bad = ends.filter(([end]) => missing.includes(end));
  const absent = bad.filter(([, , value]) => value === null).map(([, field]) => `no ${field}`);
  const dangling = bad.filter(([, , value]) => value !== null).map(([, field, value]) => `${field} ${value}`);
  const parts: string[] = [];
  if (absent.length > 0) parts.push(`has ${absent.join(' and ')}`);
  if (dangling.length > 0) {
    parts.push(`${absent.length > 0 ? 'its' : 'has'} ${dangling.join(' and ')}, which ${dangling.length > 1 ? 'name' : 'names'} no existing entity`);
  }
  return issue('orphaned', record, `Connection ${record.id} ${parts.join('; ')}.`, {
    fromId: endpoints.fromId,
    toId: endpoints.toId,
    missing: bad.map(([, field]) => field),
  }, context);
}

/** A connection between entities of two groups (the groups from `classifyConnection`). */
export function crossGroupConnectionIssue(
  record: IssueRecord,
  endpoints: ConnectionEndpoints,
  groups: { fromGroupId: string; toGroupId: string },
  context: IssueContext,
): QualityIssue {
  const { fromId, toId } = endpoints;
  return issue(
    'crossGroup',
    record,
    `Connection ${record.id} links entity ${fromId} of group ${groups.fromGroupId} to entity ${toId} of group ${groups.toGroupId}.`,
    { fromId, toId, fromGroupId: groups.fromGroupId, toGroupId: groups.toGroupId },
    context,
  );
}

/** A connection whose validity window ends before it starts. */
export function invertedValidityIssue(record: IssueRecord, context: IssueContext): QualityIssue {
  return issue('invalidMetadata', record, `Connection ${record.id} has validTo earlier than validFrom.`, { fields: ['validFrom', 'validTo'] }, context);
}

/** An event whose actor and target belong to two groups (the groups from `classifyEvent`). */
export function crossGroupEventIssue(
  record: IssueRecord,
  references: EventReferences,
  groups: { actorGroupId: string; targetGroupId: string },
  context: IssueContext,
): QualityIssue {
  const { actorId, targetId } = references;
  return issue(
    'crossGroup',
    record,
    `Event ${record.id} has actor ${actorId} of group ${groups.actorGroupId} and target ${targetId} of group ${groups.targetGroupId}.`,
    { actorId, targetId, actorGroupId: groups.actorGroupId, targetGroupId: groups.targetGroupId },
    context,
  );
}

/** A payment event whose metadata breaks the payment rule in `fields` (as `paymentMetadataProblems` names them). */
export function invalidPaymentMetadataIssue(record: IssueRecord, fields: string[], context: IssueContext): QualityIssue {
  return issue(
    'invalidMetadata',
    record,
    `Payment event ${record.id} has missing or invalid metadata ${fields.join(', ')}.`,
    { fields: fields.map((field) => `metadata.${field}`) },
    context,
  );
}

/** A knowledge record whose `sourceThingId` names no existing entity. */
export function orphanedKnowledgeIssue(record: IssueRecord, sourceThingId: string, context: IssueContext): QualityIssue {
  return issue(
    'orphaned',
    record,
    `Knowledge record ${record.id} has sourceThingId ${sourceThingId}, which names no existing entity.`,
    { sourceThingId },
    context,
  );
}
