/**
 * What the migration's Convex modules share (`migration.ts` batches and undo, `migrationRuns.ts` the run
 * registry and run steps, `migrationPages.ts` the read-only pages): the validators of the port's types, run
 * look-ups, the lease fence every write step runs first, and the endpoint look-ups of the assignment rule.
 */
import { ConvexError, v, type Value } from 'convex/values';
import type { GenericDatabaseReader, GenericDatabaseWriter } from 'convex/server';
import type { DataModel, Doc } from './_generated/dataModel.js';
import { connectionEndpoints, groupIdOf } from '../src/ontology/naming.js';
import { eventReferences, knowledgeSource } from '../src/quality/record-rules.js';
import type { MigratedTable, MigrateTotals, UndoTotals } from '../src/migration/port.js';
import { ReadBudget } from './lib/budget.js';
import { uniformText } from './migrationBounds.js';
import { migrationRunFields, runStateValidator } from './validators.js';

export type Reader = GenericDatabaseReader<DataModel>;
export type Writer = GenericDatabaseWriter<DataModel>;
export type RunDoc = Doc<'migrationRuns'>;
export type JournalDoc = Doc<'undoJournal'>;
export type AnyDoc = Record<string, Value> & { _id: string; _creationTime: number };

export const SCHEMA_VERSION_ONE = 1;
export const SCHEMA_VERSION_ONE_TEXT = uniformText(SCHEMA_VERSION_ONE);
/** Placeholder for a legacy-default group a run would create: equal to no real id. */
export const GROUP_TO_CREATE = '\u0000legacy-default';

// ---- validators ---------------------------------------------------------------------------------------------

export const migratedTableValidator = v.union(v.literal('entities'), v.literal('connections'), v.literal('events'), v.literal('knowledge'));
export const fenceValidator = v.object({ name: v.string(), holder: v.string(), ttlMs: v.number(), now: v.number() });
export const markerValidator = v.union(v.object({ set: v.string() }), v.literal('clear'), v.literal('keep'));
export const auditEventValidator = v.object({ type: v.string(), groupId: v.union(v.string(), v.null()), timestamp: v.number(), metadata: v.any() });
export const progressValidator = migrationRunFields.progress;
export const assignmentsValidator = v.record(v.string(), v.number());
/** A run as the port returns it (`RunRecord`). */
const { runId: _runId, ...runRecordFields } = migrationRunFields;
export const runRecordValidator = v.object({ id: v.string(), ...runRecordFields });
/** The changeable fields of a run (`RunUpdate`); `plan`/`result` may be null. */
export const runUpdateValidator = v.object({
  state: v.optional(runStateValidator),
  holder: v.optional(v.string()),
  backupFile: v.optional(v.union(v.string(), v.null())),
  defaultGroupId: v.optional(v.union(v.string(), v.null())),
  defaultGroupCreated: v.optional(v.boolean()),
  phase: v.optional(v.union(v.string(), v.null())),
  cursor: v.optional(v.union(v.string(), v.null())),
  batches: v.optional(v.number()),
  progress: v.optional(progressValidator),
  result: v.optional(v.any()),
  error: v.optional(v.union(v.string(), v.null())),
  finishedAt: v.optional(v.union(v.number(), v.null())),
  updatedAt: v.optional(v.number()),
  plan: v.optional(v.any()),
});
export const conflictValidator = v.object({
  table: migratedTableValidator,
  recordId: v.string(),
  fields: v.array(v.string()),
  outcome: v.union(v.literal('reverted'), v.literal('partial'), v.literal('conflict'), v.literal('missing')),
});

// ---- helpers ------------------------------------------------------------------------------------------------

export function toRecord(run: RunDoc) {
  return {
    id: run.runId,
    kind: run.kind,
    state: run.state,
    actor: run.actor,
    holder: run.holder,
    targetRunId: run.targetRunId,
    startedAt: run.startedAt,
    updatedAt: run.updatedAt,
    finishedAt: run.finishedAt,
    batchSize: run.batchSize,
    backupFile: run.backupFile,
    defaultGroupId: run.defaultGroupId,
    defaultGroupCreated: run.defaultGroupCreated,
    journalStart: run.journalStart,
    phase: run.phase,
    cursor: run.cursor,
    batches: run.batches,
    progress: run.progress,
    plan: run.plan ?? null,
    result: run.result ?? null,
    error: run.error,
  };
}

export async function runRow(db: Reader, runId: string): Promise<RunDoc | null> {
  return db
    .query('migrationRuns')
    .withIndex('by_run_id', (q) => q.eq('runId', runId))
    .first();
}

export async function requireRun(db: Reader, runId: string, what = 'migration run', budget?: ReadBudget): Promise<RunDoc> {
  budget?.range();
  const run = await runRow(db, runId);
  budget?.read(run);
  if (run === null)
    throw new ConvexError({ code: 'NotFound', message: `No ${what} ${runId} in this deployment: see \`ontology-ops migration-status\` for run ids` });
  return run;
}

/** Checks the lease is still `fence.holder`'s and extends it, in the caller's mutation (fencing). */
export async function fenceLease(db: Writer, fence: { name: string; holder: string; ttlMs: number; now: number }, budget?: ReadBudget): Promise<void> {
  budget?.range();
  const lease = await db
    .query('leases')
    .withIndex('by_name', (q) => q.eq('name', fence.name))
    .unique();
  if (lease === null || lease.holder !== fence.holder) {
    throw new ConvexError({
      code: 'LeaseLost',
      message: `The lease ${fence.name} is no longer held by ${fence.holder}`,
      name: fence.name,
      holder: fence.holder,
    });
  }
  budget?.read(lease);
  budget?.patched(lease);
  await db.patch(lease._id, { expiresAt: fence.now + fence.ttlMs });
}

export async function writeEvent(db: Writer, event: { type: string; groupId: string | null; timestamp: number; metadata: unknown }): Promise<void> {
  const fields: Record<string, unknown> = { type: event.type, timestamp: event.timestamp, metadata: event.metadata };
  if (event.groupId !== null) fields.groupId = event.groupId;
  await db.insert('events', fields as never);
}

export async function groupBySlug(db: Reader, slug: string) {
  return db
    .query('groups')
    .withIndex('by_slug', (q) => q.eq('slug', slug))
    .first();
}

/** The entity ids a record names, in the order the assignment rule tries them. */
export function endpointsOf(table: MigratedTable, doc: Record<string, unknown>): [string | null, string | null] {
  if (table === 'connections') {
    const { fromId, toId } = connectionEndpoints(doc);
    return [fromId, toId];
  }
  if (table === 'events') {
    const { actorId, targetId } = eventReferences(doc);
    return [actorId, targetId];
  }
  if (table === 'knowledge') return [knowledgeSource(doc), null];
  return [null, null];
}

/** Looks entities up once per call: undefined when no such entity, else its groupId (null: none). */
export class EntityGroups {
  private readonly known = new Map<string, string | null | undefined>();

  constructor(
    private readonly db: Reader,
    private readonly entities: string,
    private readonly budget: ReadBudget,
  ) {}

  /** True when `groupOf(id)` would read an entity (not yet looked up in this call, and a valid id). */
  needsRead(id: string | null): boolean {
    return id !== null && !this.known.has(id) && this.db.normalizeId(this.entities as 'entities', id) !== null;
  }

  async groupOf(id: string | null): Promise<string | null | undefined> {
    if (id === null) return undefined;
    if (this.known.has(id)) return this.known.get(id);
    const normalized = this.db.normalizeId(this.entities as 'entities', id);
    let group: string | null | undefined;
    if (normalized === null) group = undefined;
    else {
      this.budget.range();
      const entity = await this.db.get(normalized);
      this.budget.read(entity);
      group = entity === null ? undefined : groupIdOf(entity);
    }
    this.known.set(id, group);
    return group;
  }
}

export function runningTotals(run: RunDoc): MigrateTotals {
  const saved = (run.result as { totals?: MigrateTotals } | null | undefined)?.totals;
  return { assignments: { ...(saved?.assignments ?? {}) }, schemaVersions: saved?.schemaVersions ?? 0 };
}

export function emptyUndoTotals(): UndoTotals {
  return { entries: 0, reverted: 0, partial: 0, conflictCount: 0, missing: 0, byTable: {} };
}
