/**
 * Four-eyes approval requests for the `ApprovalStore` port (`src/store/convex/approval-store.ts` calls these; the
 * rules are those of `src/approvals/port.ts`, as the SQLite adapter enforces them). Each transition is ONE mutation
 * that reads the request, checks the rule and writes it: Convex runs a mutation as a serializable transaction, so
 * two clicks, two replicas or a replayed payload racing for the same change cannot both pass the check (the loser
 * is retried by Convex and then sees the winner's write). Internal functions.
 *
 * Bounds: a transition reads one document (`start` also one index range of at most 2 running requests; `open` one
 * document of each open state's range of its kind and target); a list
 * page reads one index range per asked state, at most `APPROVAL_PAGE_ROWS` + 1 documents each (7 × 51 = 357 ≤
 * 16,000), and a request is at most about 2 × `MAX_SUMMARY_CHARS` + 2 KiB, so a page stays under 8 MiB.
 */
import { ConvexError, v, type ObjectType } from 'convex/values';
import type { GenericDatabaseWriter } from 'convex/server';
import { internalMutation, internalQuery } from './_generated/server.js';
import type { DataModel, Doc, Id } from './_generated/dataModel.js';
import { mayFinish, OPEN_APPROVAL_STATES } from '../src/approvals/port.js';
import { approvalFields, approvalStateValidator } from './validators.js';

/** Requests a list page returns at most (the adapter asks for no more). */
export const APPROVAL_PAGE_ROWS = 50;
/** Characters of a plan or result summary (JSON) at most: counts only, a few hundred in practice. */
export const MAX_SUMMARY_CHARS = 16 * 1024;
/** Characters of a rejection reason at most (the modal allows 200). */
export const MAX_REASON_CHARS = 500;
/** Approvals a request may require at most (`REQUIRED_APPROVALS` is 1 – 5). */
export const MAX_REQUIRED_APPROVALS = 20;

/** A request as the port returns it (`plan` and `result` still JSON text; the adapter parses them). */
const requestValidator = v.object({ id: v.id('approvals'), ...approvalFields });
const refusalValidator = v.union(
  v.literal('not_found'),
  v.literal('wrong_state'),
  v.literal('expired'),
  v.literal('not_expired'),
  v.literal('self_approval'),
  v.literal('already_approved_by_user'),
  v.literal('plan_mismatch'),
  v.literal('another_running'),
);
/** The outcome of a compare-and-set (`ApprovalChange`). */
const changeValidator = v.union(
  v.object({ changed: v.literal(true), request: requestValidator }),
  v.object({ changed: v.literal(false), reason: refusalValidator, request: v.union(requestValidator, v.null()) }),
);

type Refusal = typeof refusalValidator.type;
type Request = typeof requestValidator.type;
type Change = typeof changeValidator.type;
type Fields = Partial<Omit<Doc<'approvals'>, '_id' | '_creationTime' | 'version'>>;

function invalid(message: string): ConvexError<{ code: string; message: string }> {
  return new ConvexError({ code: 'InvalidArgument', message });
}

function requestOf(doc: Doc<'approvals'>): Request {
  const { _id, _creationTime: _, ...fields } = doc;
  return { id: _id, ...fields, rejectReason: fields.rejectReason ?? null };
}

function checkedSummary(json: string, what: string): string {
  if (json.length > MAX_SUMMARY_CHARS) throw invalid(`${what} is ${json.length} characters of JSON; at most ${MAX_SUMMARY_CHARS} (counts only)`);
  return json;
}

/**
 * The compare-and-set every transition is: reads the request, lets `rule` decide, and writes its changes with the
 * version bumped, all in the calling mutation. An id that names no request (or is no approval id) is `not_found`.
 */
async function change(
  db: GenericDatabaseWriter<DataModel>,
  rawId: string,
  rule: (doc: Doc<'approvals'>) => Promise<Fields | Refusal> | Fields | Refusal,
): Promise<Change> {
  const id = db.normalizeId('approvals', rawId);
  const doc = id === null ? null : await db.get(id);
  if (id === null || doc === null) return { changed: false, reason: 'not_found', request: null };
  const outcome = await rule(doc);
  if (typeof outcome === 'string') return { changed: false, reason: outcome, request: requestOf(doc) };
  const changes = { ...outcome, version: doc.version + 1 };
  await db.patch(id, changes);
  return { changed: true, request: requestOf({ ...doc, ...changes }) };
}

/** Patches a request without a state change (message, run id); an unknown id changes nothing. */
async function annotate(db: GenericDatabaseWriter<DataModel>, rawId: string, fields: Fields): Promise<null> {
  const id = db.normalizeId('approvals', rawId);
  const doc = id === null ? null : await db.get(id);
  if (id !== null && doc !== null) await db.patch(id, { ...fields, version: doc.version + 1 });
  return null;
}

const newRequestArgs = {
  kind: approvalFields.kind,
  target: v.union(v.string(), v.null()),
  requestedBy: v.string(),
  requestedAt: v.number(),
  expiresAt: v.number(),
  requiredApprovals: v.number(),
  planHash: v.string(),
  plan: v.string(),
  parentId: v.union(v.string(), v.null()),
};
type NewRequest = ObjectType<typeof newRequestArgs>;

async function insert(db: GenericDatabaseWriter<DataModel>, args: NewRequest): Promise<Request> {
  if (!Number.isInteger(args.requiredApprovals) || args.requiredApprovals < 1 || args.requiredApprovals > MAX_REQUIRED_APPROVALS) {
    throw invalid(`requiredApprovals must be a whole number from 1 to ${MAX_REQUIRED_APPROVALS}, got ${args.requiredApprovals}`);
  }
  const fields = {
    ...args,
    plan: checkedSummary(args.plan, 'plan'),
    state: 'requested' as const,
    approvals: [],
    rejectedBy: null,
    rejectReason: null,
    decidedAt: null,
    channel: null,
    messageTs: null,
    runId: null,
    startedAt: null,
    finishedAt: null,
    error: null,
    result: null,
    version: 1,
  };
  const id: Id<'approvals'> = await db.insert('approvals', fields);
  return { id, ...fields };
}

/** Creates a request in state `requested`. */
export const create = internalMutation({
  args: newRequestArgs,
  returns: requestValidator,
  handler: (ctx, args) => insert(ctx.db, args),
});

/**
 * Creates a request in state `requested` unless one of the same kind and target is open; then returns that one and
 * writes nothing. Reads one index range per open state (at most one document each).
 */
export const open = internalMutation({
  args: newRequestArgs,
  returns: v.object({ created: v.boolean(), request: requestValidator }),
  handler: async (ctx, args) => {
    for (const state of OPEN_APPROVAL_STATES) {
      const found = await ctx.db
        .query('approvals')
        .withIndex('by_kind_target_state', (q) => q.eq('kind', args.kind).eq('target', args.target).eq('state', state))
        .first();
      if (found) return { created: false, request: requestOf(found) };
    }
    return { created: true, request: await insert(ctx.db, args) };
  },
});

/** The request with this id, or null (also for a string that is no approval id). */
export const get = internalQuery({
  args: { id: v.string() },
  returns: v.union(requestValidator, v.null()),
  handler: async (ctx, args) => {
    const id = ctx.db.normalizeId('approvals', args.id);
    const doc = id === null ? null : await ctx.db.get(id);
    return doc === null ? null : requestOf(doc);
  },
});

/**
 * A page of the requests in `states`, oldest first (creation order, as SQLite's insertion order). `after` is the
 * `_creationTime` of the last request of the previous page (null for the first): each state's index range is read
 * past it, the ranges merged, and the first `numItems` kept; `continueAfter` is null once nothing is left.
 */
export const page = internalQuery({
  args: { states: v.array(approvalStateValidator), after: v.union(v.number(), v.null()), numItems: v.number() },
  returns: v.object({ requests: v.array(requestValidator), continueAfter: v.union(v.number(), v.null()) }),
  handler: async (ctx, args) => {
    const { numItems } = args;
    if (!Number.isSafeInteger(numItems) || numItems < 1 || numItems > APPROVAL_PAGE_ROWS) {
      throw invalid(`numItems must be a whole number from 1 to ${APPROVAL_PAGE_ROWS}, got ${numItems}`);
    }
    const states = [...new Set(args.states)];
    const after = args.after;
    const found: Doc<'approvals'>[] = [];
    for (const state of states) {
      found.push(
        ...(await ctx.db
          .query('approvals')
          .withIndex('by_state', (q) => (after === null ? q.eq('state', state) : q.eq('state', state).gt('_creationTime', after)))
          .take(numItems + 1)),
      );
    }
    found.sort((a, b) => a._creationTime - b._creationTime);
    const kept = found.slice(0, numItems);
    return { requests: kept.map(requestOf), continueAfter: found.length > numItems ? kept[kept.length - 1]!._creationTime : null };
  },
});

/** Remembers where the request's message is (no state change). */
export const setMessage = internalMutation({
  args: { id: v.string(), channel: v.string(), ts: v.string() },
  returns: v.null(),
  handler: (ctx, args) => annotate(ctx.db, args.id, { channel: args.channel, messageTs: args.ts }),
});

/**
 * Adds `userId`'s approval to a `requested` request before its expiry, when the plan hash matches and the user is
 * neither the requester nor an approver already; the `requiredApprovals`-th distinct approval approves it.
 */
export const approve = internalMutation({
  args: { id: v.string(), userId: v.string(), at: v.number(), planHash: v.string() },
  returns: changeValidator,
  handler: (ctx, args) =>
    change(ctx.db, args.id, (doc) => {
      if (doc.state !== 'requested') return 'wrong_state';
      if (args.at >= doc.expiresAt) return 'expired';
      if (args.planHash !== doc.planHash) return 'plan_mismatch';
      if (args.userId === doc.requestedBy) return 'self_approval';
      if (doc.approvals.some((approval) => approval.userId === args.userId)) return 'already_approved_by_user';
      const approvals = [...doc.approvals, { userId: args.userId, at: args.at }];
      const done = approvals.length >= doc.requiredApprovals;
      return { approvals, ...(done ? { state: 'approved' as const, decidedAt: args.at } : {}) };
    }),
});

/** Rejects a `requested` request before its expiry, with the reason given (at most `MAX_REASON_CHARS`). */
export const reject = internalMutation({
  args: { id: v.string(), userId: v.string(), at: v.number(), reason: v.optional(v.union(v.string(), v.null())) },
  returns: changeValidator,
  handler: (ctx, args) =>
    change(ctx.db, args.id, (doc) => {
      if (doc.state !== 'requested') return 'wrong_state';
      if (args.at >= doc.expiresAt) return 'expired';
      if (args.reason && args.reason.length > MAX_REASON_CHARS) throw invalid(`reason is ${args.reason.length} characters; at most ${MAX_REASON_CHARS}`);
      return { state: 'rejected', rejectedBy: args.userId, rejectReason: args.reason ?? null, decidedAt: args.at };
    }),
});

/** Marks a `requested` request expired once `at` has reached its expiry. */
export const expire = internalMutation({
  args: { id: v.string(), at: v.number() },
  returns: changeValidator,
  handler: (ctx, args) =>
    change(ctx.db, args.id, (doc) => {
      if (doc.state !== 'requested') return 'wrong_state';
      if (args.at < doc.expiresAt) return 'not_expired';
      return { state: 'expired', decidedAt: args.at };
    }),
});

/**
 * approved → running when the plan hash is the approved one and no other request is running, claiming the run id.
 * The read of the
 * running range is part of the transaction, so two starts of different requests conflict and only one runs.
 */
export const start = internalMutation({
  args: { id: v.string(), at: v.number(), planHash: v.string(), runId: v.string() },
  returns: changeValidator,
  handler: (ctx, args) =>
    change(ctx.db, args.id, async (doc) => {
      if (doc.state !== 'approved') return 'wrong_state';
      if (args.planHash !== doc.planHash) return 'plan_mismatch';
      const running = await ctx.db
        .query('approvals')
        .withIndex('by_state', (q) => q.eq('state', 'running'))
        .take(2);
      if (running.some((other) => other._id !== doc._id)) return 'another_running';
      return { state: 'running', startedAt: args.at, runId: args.runId };
    }),
});

/**
 * Ends a request (`FINISH_FROM` of `src/approvals/port.ts`: running → succeeded | failed, approved → failed |
 * superseded, succeeded | failed → rolled_back); with `from`, only a request in that state changes. `result` is
 * JSON text (absent: the stored one stays); `runId` absent or null keeps the stored one; `error` absent keeps it.
 */
export const finish = internalMutation({
  args: {
    id: v.string(),
    at: v.number(),
    state: v.union(v.literal('succeeded'), v.literal('failed'), v.literal('superseded'), v.literal('rolled_back')),
    error: v.optional(v.union(v.string(), v.null())),
    result: v.optional(v.string()),
    runId: v.optional(v.union(v.string(), v.null())),
    from: v.optional(approvalStateValidator),
  },
  returns: changeValidator,
  handler: (ctx, args) =>
    change(ctx.db, args.id, (doc) => {
      if (args.from !== undefined && doc.state !== args.from) return 'wrong_state';
      if (!mayFinish(doc.state, args.state)) return 'wrong_state';
      return {
        state: args.state,
        finishedAt: args.at,
        error: args.error === undefined ? doc.error : args.error,
        result: args.result === undefined ? doc.result : checkedSummary(args.result, 'result'),
        runId: args.runId ?? doc.runId,
      };
    }),
});
