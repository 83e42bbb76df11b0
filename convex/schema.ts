/**
 * The Convex schema of a ONE deployment the bot works on: ONE's current ontology tables (plus the pre-v1
 * `things` table, so a legacy deployment validates too), ONE's `dataQualitySnapshots`, and the bot's own
 * tables (monitor state, migration registry and journal, leases, approvals, settings).
 *
 * Indexes are the ones the bot's bounded functions read through; every ontology table has `by_group` so a
 * group-scoped check or count pages one group without scanning the others. A host app that installs the bot keeps
 * its own definitions of ONE's tables (with these indexes) and spreads `ontologyOpsTables` next to them.
 */
import { defineSchema, defineTable } from 'convex/server';
import {
  alertFields,
  approvalFields,
  archivedConnectionFields,
  connectionFields,
  decisionFields,
  entityFields,
  eventFields,
  fixJournalFields,
  groupFields,
  jobRunFields,
  knowledgeFields,
  leaseFields,
  metaFields,
  migrationRunFields,
  notificationFields,
  outboxFields,
  silenceFields,
  snapshotFields,
  thingKnowledgeFields,
  undoJournalFields,
} from './validators.js';

/**
 * The bot's own tables (monitor state, migration registry and journal, leases, approvals, settings): what a host
 * app spreads into its schema next to ONE's tables when it installs the bot (`ontology-ops/convex/schema`).
 */
export const ontologyOpsTables = {
  monitorAlerts: defineTable(alertFields)
    .index('by_key_time', ['key', 'firstFiringAt'])
    .index('by_status_time', ['status', 'firstFiringAt'])
    .index('by_time', ['firstFiringAt'])
    .index('by_notification', ['notificationId', 'firstFiringAt']),
  monitorNotifications: defineTable(notificationFields).index('by_key_status', ['key', 'status']),
  monitorDecisions: defineTable(decisionFields).index('by_alert', ['alertId']).index('by_time', ['at']),
  monitorSilences: defineTable(silenceFields).index('by_until', ['until']),
  monitorOutbox: defineTable(outboxFields)
    .index('by_status_due', ['status', 'nextAttemptAt'])
    .index('by_status_created', ['status', 'createdAt'])
    .index('by_created', ['createdAt'])
    .index('by_notification', ['notificationId', 'kind', 'status'])
    .index('by_notification_time', ['notificationId', 'kind', 'createdAt'])
    .index('by_replace_key', ['replaceKey', 'status']),
  monitorJobRuns: defineTable(jobRunFields)
    .index('by_job_outcome_start', ['job', 'outcome', 'startedAt'])
    .index('by_job_start', ['job', 'startedAt'])
    .index('by_start', ['startedAt'])
    .index('by_outcome', ['outcome']),

  leases: defineTable(leaseFields).index('by_name', ['name']),
  migrationRuns: defineTable(migrationRunFields)
    .index('by_run_id', ['runId'])
    .index('by_kind_start', ['kind', 'startedAt'])
    .index('by_start', ['startedAt']),
  undoJournal: defineTable(undoJournalFields)
    .index('by_seq', ['seq'])
    .index('by_run_seq', ['runId', 'seq'])
    .index('by_run_record', ['runId', 'recordId'])
    .index('by_undo_outcome', ['undoRunId', 'undoOutcome', 'seq']),
  fixJournal: defineTable(fixJournalFields).index('by_seq', ['seq']).index('by_run_seq', ['runId', 'seq']),
  // Part of the data set (exports carry it): connections `fix orphans` moved out, until an undo moves them back.
  archivedConnections: defineTable(archivedConnectionFields).index('by_run', ['fixRunId']),
  approvals: defineTable(approvalFields).index('by_state', ['state']).index('by_kind_target_state', ['kind', 'target', 'state']),
  storeMeta: defineTable(metaFields).index('by_key', ['key']),
};

export default defineSchema({
  groups: defineTable(groupFields).index('by_slug', ['slug']).index('by_parent', ['parentGroupId']),
  entities: defineTable(entityFields)
    .index('by_group', ['groupId'])
    .index('by_type', ['type'])
    .index('by_group_type', ['groupId', 'type']),
  // Pre-v1 name of `entities`; present only on legacy deployments.
  things: defineTable(entityFields).index('by_group', ['groupId']).index('by_type', ['type']),
  connections: defineTable(connectionFields)
    .index('by_group', ['groupId'])
    .index('by_from', ['fromEntityId'])
    .index('by_to', ['toEntityId'])
    .index('by_from_thing', ['fromThingId'])
    .index('by_to_thing', ['toThingId']),
  events: defineTable(eventFields)
    .index('by_group', ['groupId'])
    .index('by_actor', ['actorId', 'timestamp'])
    .index('by_target', ['targetId', 'timestamp'])
    .index('by_timestamp', ['timestamp'])
    .index('by_archived_time', ['archived', 'timestamp']),
  knowledge: defineTable(knowledgeFields).index('by_group', ['groupId']).index('by_source', ['sourceThingId']),
  thingKnowledge: defineTable(thingKnowledgeFields)
    .index('unique_junction', ['thingId', 'knowledgeId'])
    .index('by_knowledge', ['knowledgeId']),
  dataQualitySnapshots: defineTable(snapshotFields)
    .index('by_time', ['timestamp'])
    .index('by_group_time', ['groupId', 'timestamp'])
    .index('by_group', ['groupId']),
  ...ontologyOpsTables,
});
