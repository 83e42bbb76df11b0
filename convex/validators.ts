/**
 * Validators shared by the Convex schema and the functions, each with its `Infer` type next to it.
 *
 * Ontology references (`groupId`, `fromEntityId`, `actorId`, …) are plain strings, not `v.id(…)`: the bot reads
 * data it did not write (legacy exports, dangling or cross-table references are exactly what the checks look
 * for), and a `v.string()` field accepts every document ONE's own `v.id` schema accepts, so deploying this
 * schema next to ONE's data never rejects a document. Functions turn a reference into an id with
 * `db.normalizeId`, which answers null for a string that is no id of that table.
 */
import { v, type Infer } from 'convex/values';

/**
 * The groupId of an ontology record: absent before the v1 migration gives it one, a string after; some exported
 * data holds an explicit null, which the checks count as missing like an absent one.
 */
export const groupIdField = v.optional(v.union(v.string(), v.null()));

/** Fields of a `groups` document (ONE current). */
export const groupFields = {
  slug: v.optional(v.string()),
  name: v.optional(v.string()),
  type: v.optional(v.string()),
  parentGroupId: v.optional(v.string()),
  description: v.optional(v.string()),
  metadata: v.optional(v.any()),
  settings: v.optional(v.any()),
  status: v.optional(v.string()),
  createdAt: v.optional(v.number()),
  updatedAt: v.optional(v.number()),
};
/** A `groups` document's fields. */
export const groupValidator = v.object(groupFields);
/** A group as stored (without system fields). */
export type GroupFields = Infer<typeof groupValidator>;

/**
 * Fields of an `entities` (current) or `things` (pre-v1) document. `groupId` and `schemaVersion` are what the
 * v1 migration adds, so they are optional; `properties` is free-form (the property rules judge it).
 */
export const entityFields = {
  groupId: groupIdField,
  type: v.optional(v.string()),
  name: v.optional(v.string()),
  properties: v.optional(v.any()),
  status: v.optional(v.string()),
  schemaVersion: v.optional(v.union(v.number(), v.int64())),
  createdAt: v.optional(v.number()),
  updatedAt: v.optional(v.number()),
  deletedAt: v.optional(v.number()),
};
/** An entity document's fields. */
export const entityValidator = v.object(entityFields);
/** An entity as stored. */
export type EntityFields = Infer<typeof entityValidator>;

/** Fields of a `connections` document under either naming (`fromEntityId`/`toEntityId` or `fromThingId`/`toThingId`). */
export const connectionFields = {
  groupId: groupIdField,
  fromEntityId: v.optional(v.string()),
  toEntityId: v.optional(v.string()),
  fromThingId: v.optional(v.string()),
  toThingId: v.optional(v.string()),
  relationshipType: v.optional(v.string()),
  metadata: v.optional(v.any()),
  strength: v.optional(v.number()),
  validFrom: v.optional(v.any()),
  validTo: v.optional(v.any()),
  createdAt: v.optional(v.number()),
  updatedAt: v.optional(v.number()),
  deletedAt: v.optional(v.number()),
};
/** A connection document's fields. */
export const connectionValidator = v.object(connectionFields);
/** A connection as stored. */
export type ConnectionFields = Infer<typeof connectionValidator>;

/** Fields of an `events` document; `groupId` and `archived` are v1 additions. */
export const eventFields = {
  groupId: groupIdField,
  type: v.optional(v.string()),
  actorId: v.optional(v.string()),
  targetId: v.optional(v.string()),
  timestamp: v.optional(v.number()),
  metadata: v.optional(v.any()),
  archived: v.optional(v.boolean()),
};
/** An event document's fields. */
export const eventValidator = v.object(eventFields);
/** An event as stored. */
export type EventFields = Infer<typeof eventValidator>;

/** Fields of a `knowledge` document; `groupId` is a v1 addition. */
export const knowledgeFields = {
  groupId: groupIdField,
  knowledgeType: v.optional(v.string()),
  text: v.optional(v.string()),
  embedding: v.optional(v.array(v.number())),
  embeddingModel: v.optional(v.string()),
  embeddingDim: v.optional(v.number()),
  sourceThingId: v.optional(v.string()),
  sourceField: v.optional(v.string()),
  chunk: v.optional(v.any()),
  labels: v.optional(v.array(v.string())),
  metadata: v.optional(v.any()),
  createdAt: v.optional(v.number()),
  updatedAt: v.optional(v.number()),
  deletedAt: v.optional(v.number()),
};
/** A knowledge document's fields. */
export const knowledgeValidator = v.object(knowledgeFields);
/** A knowledge record as stored. */
export type KnowledgeFields = Infer<typeof knowledgeValidator>;

/** Fields of a `thingKnowledge` junction document. */
export const thingKnowledgeFields = {
  thingId: v.string(),
  knowledgeId: v.string(),
  role: v.optional(v.string()),
  metadata: v.optional(v.any()),
  createdAt: v.optional(v.number()),
  updatedAt: v.optional(v.number()),
};
/** A thingKnowledge document's fields. */
export const thingKnowledgeValidator = v.object(thingKnowledgeFields);
/** A thingKnowledge junction as stored. */
export type ThingKnowledgeFields = Infer<typeof thingKnowledgeValidator>;

/** Fields of a `dataQualitySnapshots` document (ONE's table; `metadata` holds the bot's extra metrics). */
export const snapshotFields = {
  timestamp: v.number(),
  groupId: v.optional(v.string()),
  referentialIntegrityScore: v.number(),
  orphanedConnections: v.number(),
  crossGroupViolations: v.number(),
  malformedProperties: v.number(),
  metadata: v.optional(v.any()),
};
/** A snapshot document's fields. */
export const snapshotValidator = v.object(snapshotFields);
/** A quality snapshot as stored. */
export type SnapshotFields = Infer<typeof snapshotValidator>;

/** How urgent an alert is (`src/alerts/types.ts` `Severity`). */
export const severityValidator = v.union(v.literal('critical'), v.literal('warning'), v.literal('info'));
/** An alert severity. */
export type SeverityValue = Infer<typeof severityValidator>;

/** A Slack message reference (`MessageRef`). */
export const messageRefValidator = v.object({ channel: v.string(), ts: v.string() });
/** A stored message reference. */
export type MessageRefValue = Infer<typeof messageRefValidator>;

/** One firing episode of an alert (`AlertState` without its id; `details` is the `AlertDetails` object). */
export const alertFields = {
  key: v.string(),
  subject: v.string(),
  groupId: v.union(v.string(), v.null()),
  severity: severityValidator,
  status: v.union(v.literal('firing'), v.literal('resolved')),
  title: v.string(),
  details: v.any(),
  firstFiringAt: v.number(),
  lastEvaluatedAt: v.number(),
  resolvedAt: v.union(v.number(), v.null()),
  lastValue: v.union(v.number(), v.null()),
  notifiedAt: v.union(v.number(), v.null()),
  lastReminderAt: v.union(v.number(), v.null()),
  notificationId: v.union(v.id('monitorNotifications'), v.null()),
  acknowledgedBy: v.union(v.string(), v.null()),
  acknowledgedAt: v.union(v.number(), v.null()),
};
/** An alert document's fields. */
export const alertValidator = v.object(alertFields);
/** An alert as stored. */
export type AlertFields = Infer<typeof alertValidator>;

/** A notification (`NotificationGroup` without its id): one Slack message per subject, severity and channel. */
export const notificationFields = {
  key: v.string(),
  subject: v.string(),
  severity: severityValidator,
  channel: v.string(),
  status: v.union(v.literal('open'), v.literal('resolved')),
  openedAt: v.number(),
  resolvedAt: v.union(v.number(), v.null()),
  lastReminderAt: v.union(v.number(), v.null()),
  shown: v.union(v.string(), v.null()),
  message: v.union(messageRefValidator, v.null()),
};
/** A notification document's fields. */
export const notificationValidator = v.object(notificationFields);
/** A notification as stored. */
export type NotificationFields = Infer<typeof notificationValidator>;

/** One line of the decision log (`DecisionLogEntry` without the alert key, which the alert carries). */
export const decisionFields = {
  alertId: v.id('monitorAlerts'),
  at: v.number(),
  source: v.string(),
  action: v.string(),
  reason: v.string(),
  value: v.union(v.number(), v.null()),
};
/** A decision document's fields. */
export const decisionValidator = v.object(decisionFields);
/** A logged decision as stored. */
export type DecisionFields = Infer<typeof decisionValidator>;

/** A silence (`Silence` without its id). */
export const silenceFields = {
  subject: v.string(),
  groupId: v.union(v.string(), v.null()),
  severity: v.union(severityValidator, v.null()),
  until: v.number(),
  createdBy: v.string(),
  reason: v.string(),
  createdAt: v.number(),
  /** Ends at the first run in which nothing it matches fires. Optional so silences stored before it read as false. */
  endsWhenResolved: v.optional(v.boolean()),
  /** The scopes it was set on (firing then), with severity and value; absent when nothing it matches fired. */
  baseline: v.optional(v.array(v.object({ groupId: v.union(v.string(), v.null()), severity: severityValidator, value: v.number() }))),
};
/** A silence document's fields. */
export const silenceValidator = v.object(silenceFields);
/** A silence as stored. */
export type SilenceFields = Infer<typeof silenceValidator>;

/** Outbox row status. */
export const outboxStatusValidator = v.union(v.literal('pending'), v.literal('sent'), v.literal('failed'));
/** One Slack message or file to deliver (`OutboxRow` without its id; `message` is the `OutboundMessage`). */
export const outboxFields = {
  kind: v.union(v.literal('post'), v.literal('update'), v.literal('reply'), v.literal('upload'), v.literal('edit')),
  channel: v.string(),
  notificationId: v.union(v.id('monitorNotifications'), v.null()),
  message: v.any(),
  /** The message an `edit` row edits. Optional so rows stored before edits by target read as null. */
  target: v.optional(v.union(messageRefValidator, v.null())),
  /** A pending row of the same key is dropped when this one is written. Optional like `target`. */
  replaceKey: v.optional(v.union(v.string(), v.null())),
  status: outboxStatusValidator,
  attempts: v.number(),
  nextAttemptAt: v.number(),
  lastError: v.union(v.string(), v.null()),
  createdAt: v.number(),
  sentAt: v.union(v.number(), v.null()),
  result: v.union(messageRefValidator, v.null()),
};
/** An outbox document's fields. */
export const outboxValidator = v.object(outboxFields);
/** An outbox row as stored. */
export type OutboxFields = Infer<typeof outboxValidator>;

/** One run of a monitor job (`JobRun` without its id). */
export const jobRunFields = {
  job: v.string(),
  trigger: v.union(v.literal('scheduled'), v.literal('catch_up'), v.literal('manual')),
  scheduledFor: v.union(v.number(), v.null()),
  startedAt: v.number(),
  finishedAt: v.union(v.number(), v.null()),
  outcome: v.union(v.literal('running'), v.literal('succeeded'), v.literal('failed'), v.literal('skipped_overlap')),
  counts: v.record(v.string(), v.number()),
  error: v.union(v.string(), v.null()),
  instanceId: v.string(),
};
/** A job run document's fields. */
export const jobRunValidator = v.object(jobRunFields);
/** A job run as stored. */
export type JobRunFields = Infer<typeof jobRunValidator>;

/** A lease (`Lease`): one holder until it expires. */
export const leaseFields = {
  name: v.string(),
  holder: v.string(),
  acquiredAt: v.number(),
  expiresAt: v.number(),
};
/** A lease document's fields. */
export const leaseValidator = v.object(leaseFields);
/** A lease as stored. */
export type LeaseFields = Infer<typeof leaseValidator>;

/** The answer of taking a lease (`LeaseResult`). */
export const leaseResultValidator = v.union(
  v.object({ acquired: v.literal(true), lease: leaseValidator }),
  v.object({ acquired: v.literal(false), heldBy: leaseValidator }),
);
/** A lease result as returned. */
export type LeaseResultValue = Infer<typeof leaseResultValidator>;

/** Kinds of migration runs (`RunKind`). */
export const runKindValidator = v.union(v.literal('migrate'), v.literal('undo'), v.literal('restore'), v.literal('fix'));
/** States of migration runs (`RunState`). */
export const runStateValidator = v.union(
  v.literal('backing_up'),
  v.literal('migrating'),
  v.literal('validating'),
  v.literal('running'),
  v.literal('completed'),
  v.literal('failed'),
  v.literal('rolled_back'),
  v.literal('superseded'),
);

/**
 * A row of the migration run registry (`RunRecord`; `runId` is the port's id, since Convex assigns `_id`).
 * `plan` and `result` are the JSON the port carries.
 */
export const migrationRunFields = {
  runId: v.string(),
  kind: runKindValidator,
  state: runStateValidator,
  actor: v.string(),
  holder: v.string(),
  targetRunId: v.union(v.string(), v.null()),
  startedAt: v.number(),
  updatedAt: v.number(),
  finishedAt: v.union(v.number(), v.null()),
  batchSize: v.number(),
  backupFile: v.union(v.string(), v.null()),
  defaultGroupId: v.union(v.string(), v.null()),
  defaultGroupCreated: v.boolean(),
  journalStart: v.union(v.string(), v.null()),
  phase: v.union(v.string(), v.null()),
  cursor: v.union(v.string(), v.null()),
  batches: v.number(),
  progress: v.record(v.string(), v.object({ total: v.number(), done: v.number() })),
  plan: v.any(),
  result: v.any(),
  error: v.union(v.string(), v.null()),
};
/** A migration run document's fields. */
export const migrationRunValidator = v.object(migrationRunFields);
/** A migration run as stored. */
export type MigrationRunFields = Infer<typeof migrationRunValidator>;

/**
 * One undo-journal entry: a record a migration run changed. `*Before` holds the previous value in the uniform
 * encoding (absent when the field was absent), `*Written` the value written (absent when the run left the
 * field alone); `undo*` fields are the exact undo's own journal.
 */
export const undoJournalFields = {
  seq: v.number(),
  runId: v.string(),
  table: v.string(),
  recordId: v.string(),
  groupIdBefore: v.optional(v.string()),
  groupIdWritten: v.optional(v.string()),
  schemaVersionBefore: v.optional(v.string()),
  schemaVersionWritten: v.optional(v.string()),
  undoRunId: v.optional(v.string()),
  undoOutcome: v.optional(v.union(v.literal('reverted'), v.literal('partial'), v.literal('conflict'), v.literal('missing'))),
  undoConflicts: v.optional(v.array(v.string())),
};
/** A journal document's fields. */
export const undoJournalValidator = v.object(undoJournalFields);
/** A journal entry as stored. */
export type UndoJournalFields = Infer<typeof undoJournalValidator>;

/** A table `fix orphans` changes (`OrphanTable`). */
export const orphanTableValidator = v.union(v.literal('connections'), v.literal('knowledge'));

/**
 * One entry of the fix journal: a record a fix run changed, with its fields as they were (`before`, system
 * fields apart) and its creation time; for a connection moved to the archive, the archive document's id, and
 * once undone the id the connection came back with (Convex gives an inserted document a new id).
 */
export const fixJournalFields = {
  seq: v.number(),
  runId: v.string(),
  table: orphanTableValidator,
  recordId: v.string(),
  creationTime: v.number(),
  before: v.any(),
  archiveId: v.optional(v.string()),
  undoRunId: v.optional(v.string()),
  undoOutcome: v.optional(v.union(v.literal('reverted'), v.literal('conflict'))),
  restoredId: v.optional(v.string()),
};

/** An orphaned connection moved out of `connections` by `fix orphans` (`archiveFields` of `src/fix/rules.ts`). */
export const archivedConnectionFields = {
  connectionId: v.string(),
  connectionCreationTime: v.number(),
  connection: v.any(),
  missingIds: v.array(v.string()),
  fixRunId: v.string(),
  archivedAt: v.number(),
};

/** One state of an approval request (`ApprovalState` of `src/approvals/port.ts`). */
export const approvalStateValidator = v.union(
  v.literal('requested'),
  v.literal('approved'),
  v.literal('rejected'),
  v.literal('expired'),
  v.literal('running'),
  v.literal('succeeded'),
  v.literal('failed'),
  v.literal('superseded'),
  v.literal('rolled_back'),
);

/**
 * A four-eyes approval request of a migration or rollback (`ApprovalRequest` without its id; `convex/approvals.ts`).
 * `plan` and `result` are the summaries as JSON text, as in SQLite: counts only, and any key a summary uses stays
 * legal (Convex field names may not start with `$` or `_`).
 */
export const approvalFields = {
  kind: v.union(v.literal('migrate'), v.literal('rollback'), v.literal('fix')),
  target: v.union(v.string(), v.null()),
  state: approvalStateValidator,
  requestedBy: v.string(),
  requestedAt: v.number(),
  expiresAt: v.number(),
  requiredApprovals: v.number(),
  approvals: v.array(v.object({ userId: v.string(), at: v.number() })),
  rejectedBy: v.union(v.string(), v.null()),
  /** Optional: requests written before rejections carried a reason have none. */
  rejectReason: v.optional(v.union(v.string(), v.null())),
  decidedAt: v.union(v.number(), v.null()),
  planHash: v.string(),
  plan: v.string(),
  channel: v.union(v.string(), v.null()),
  messageTs: v.union(v.string(), v.null()),
  runId: v.union(v.string(), v.null()),
  startedAt: v.union(v.number(), v.null()),
  finishedAt: v.union(v.number(), v.null()),
  error: v.union(v.string(), v.null()),
  result: v.union(v.string(), v.null()),
  parentId: v.union(v.string(), v.null()),
  version: v.number(),
};
/** An approval document's fields. */
export const approvalValidator = v.object(approvalFields);
/** An approval as stored. */
export type ApprovalFields = Infer<typeof approvalValidator>;

/** A store setting (`MetaStore`): key → value. */
export const metaFields = { key: v.string(), value: v.string() };
/** A meta document's fields. */
export const metaValidator = v.object(metaFields);
/** A meta entry as stored. */
export type MetaFields = Infer<typeof metaValidator>;
