/**
 * The SQLite adapter of `ApprovalStore`. Every transition reads the row, checks the rule and writes the row in one
 * IMMEDIATE transaction, so two processes on the same file cannot both pass the same check.
 */
import { randomBytes } from 'node:crypto';
import {
  APPROVAL_STATES,
  mayFinish,
  OPEN_APPROVAL_STATES,
  type Approval,
  type ApprovalChange,
  type ApprovalKind,
  type ApprovalRefusal,
  type ApprovalRequest,
  type ApprovalState,
  type ApprovalStore,
  type FinishInput,
  type NewApprovalRequest,
} from '../../approvals/port.ts';
import { InvalidArgumentError } from '../../errors.ts';
import { ensureApprovalSchema } from './approval-schema.ts';
import type { SqliteStore } from './sqlite-store.ts';

interface ApprovalRow {
  seq: number;
  id: string;
  kind: ApprovalKind;
  target: string | null;
  state: ApprovalState;
  requested_by: string;
  requested_at: number;
  expires_at: number;
  required_approvals: number;
  approvals: string;
  rejected_by: string | null;
  reject_reason: string | null;
  decided_at: number | null;
  plan_hash: string;
  plan: string;
  channel: string | null;
  message_ts: string | null;
  run_id: string | null;
  started_at: number | null;
  finished_at: number | null;
  error: string | null;
  result: string | null;
  parent_id: string | null;
  version: number;
}

function toRequest(row: ApprovalRow): ApprovalRequest {
  return {
    id: row.id,
    kind: row.kind,
    target: row.target,
    state: row.state,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    expiresAt: row.expires_at,
    requiredApprovals: row.required_approvals,
    approvals: JSON.parse(row.approvals) as Approval[],
    rejectedBy: row.rejected_by,
    rejectReason: row.reject_reason,
    decidedAt: row.decided_at,
    planHash: row.plan_hash,
    plan: JSON.parse(row.plan) as unknown,
    channel: row.channel,
    messageTs: row.message_ts,
    runId: row.run_id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    result: row.result === null ? null : (JSON.parse(row.result) as unknown),
    parentId: row.parent_id,
    version: row.version,
  };
}


/** Approval requests in a `SqliteStore`'s database. */
export class SqliteApprovalStore implements ApprovalStore {
  private readonly database: SqliteStore['database'];

  constructor(
    store: SqliteStore,
    private readonly newId: () => string = () => `apr_${randomBytes(8).toString('hex')}`,
  ) {
    this.database = store.database;
    ensureApprovalSchema(this.database);
  }

  private row(id: string): ApprovalRow | undefined {
    return this.database.prepare('SELECT * FROM approval_requests WHERE id = ?').get(id) as ApprovalRow | undefined;
  }

  /** Runs `body` on the row in one IMMEDIATE transaction; `body` returns the columns to set, or a refusal. */
  private change(id: string, body: (row: ApprovalRow) => Record<string, unknown> | ApprovalRefusal): ApprovalChange {
    const run = this.database.transaction((): ApprovalChange => {
      const row = this.row(id);
      if (!row) return { changed: false, reason: 'not_found', request: null };
      const outcome = body(row);
      if (typeof outcome === 'string') return { changed: false, reason: outcome, request: toRequest(row) };
      const columns = Object.keys(outcome);
      this.database
        .prepare(`UPDATE approval_requests SET ${columns.map((column) => `${column} = ?`).join(', ')}, version = version + 1 WHERE id = ?`)
        .run(...columns.map((column) => outcome[column]), id);
      return { changed: true, request: toRequest(this.row(id)!) };
    });
    return run.immediate();
  }

  async create(request: NewApprovalRequest): Promise<ApprovalRequest> {
    return this.insert(request);
  }

  async open(request: NewApprovalRequest): Promise<{ created: boolean; request: ApprovalRequest }> {
    const run = this.database.transaction(() => {
      const open = this.database
        .prepare(
          `SELECT * FROM approval_requests WHERE kind = ? AND target IS ? AND state IN (${OPEN_APPROVAL_STATES.map(() => '?').join(', ')}) ORDER BY seq LIMIT 1`,
        )
        .get(request.kind, request.target, ...OPEN_APPROVAL_STATES) as ApprovalRow | undefined;
      if (open) return { created: false, request: toRequest(open) };
      return { created: true, request: this.insert(request) };
    });
    return run.immediate();
  }

  private insert(request: NewApprovalRequest): ApprovalRequest {
    if (!Number.isInteger(request.requiredApprovals) || request.requiredApprovals < 1) {
      throw new InvalidArgumentError(`requiredApprovals must be a whole number ≥ 1, got ${request.requiredApprovals}.`);
    }
    const id = this.newId();
    this.database
      .prepare(
        `INSERT INTO approval_requests (id, kind, target, state, requested_by, requested_at, expires_at, required_approvals,
           plan_hash, plan, parent_id) VALUES (?, ?, ?, 'requested', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        request.kind,
        request.target,
        request.requestedBy,
        request.requestedAt,
        request.expiresAt,
        request.requiredApprovals,
        request.planHash,
        JSON.stringify(request.plan ?? null),
        request.parentId ?? null,
      );
    return toRequest(this.row(id)!);
  }

  async get(id: string): Promise<ApprovalRequest | null> {
    const row = this.row(id);
    return row ? toRequest(row) : null;
  }

  async list(query: { states?: readonly ApprovalState[]; cursor: string | null; limit: number }) {
    const states = query.states ?? OPEN_APPROVAL_STATES;
    for (const state of states) if (!APPROVAL_STATES.includes(state)) throw new InvalidArgumentError(`Unknown approval state "${state}".`);
    const after = query.cursor === null ? 0 : Number(query.cursor);
    if (!Number.isSafeInteger(after) || after < 0) throw new InvalidArgumentError(`Approval list cursor "${query.cursor}" was not issued by this store.`);
    const limit = Math.max(1, Math.min(query.limit, 500));
    const rows = this.database
      .prepare(`SELECT * FROM approval_requests WHERE seq > ? AND state IN (${states.map(() => '?').join(', ')}) ORDER BY seq LIMIT ?`)
      .all(after, ...states, limit + 1) as ApprovalRow[];
    const page = rows.slice(0, limit);
    return { requests: page.map(toRequest), continueCursor: rows.length > limit ? String(page[page.length - 1]!.seq) : null };
  }

  async setMessage(id: string, message: { channel: string; ts: string }): Promise<void> {
    this.database.prepare('UPDATE approval_requests SET channel = ?, message_ts = ?, version = version + 1 WHERE id = ?').run(message.channel, message.ts, id);
  }

  async approve(id: string, input: { userId: string; at: number; planHash: string }): Promise<ApprovalChange> {
    return this.change(id, (row) => {
      if (row.state !== 'requested') return 'wrong_state';
      if (input.at >= row.expires_at) return 'expired';
      if (input.planHash !== row.plan_hash) return 'plan_mismatch';
      if (input.userId === row.requested_by) return 'self_approval';
      const approvals = JSON.parse(row.approvals) as Approval[];
      if (approvals.some((approval) => approval.userId === input.userId)) return 'already_approved_by_user';
      approvals.push({ userId: input.userId, at: input.at });
      const done = approvals.length >= row.required_approvals;
      return { approvals: JSON.stringify(approvals), ...(done ? { state: 'approved', decided_at: input.at } : {}) };
    });
  }

  async reject(id: string, input: { userId: string; at: number; reason?: string | null }): Promise<ApprovalChange> {
    return this.change(id, (row) => {
      if (row.state !== 'requested') return 'wrong_state';
      if (input.at >= row.expires_at) return 'expired';
      return { state: 'rejected', rejected_by: input.userId, reject_reason: input.reason ?? null, decided_at: input.at };
    });
  }

  async expire(id: string, at: number): Promise<ApprovalChange> {
    return this.change(id, (row) => {
      if (row.state !== 'requested') return 'wrong_state';
      if (at < row.expires_at) return 'not_expired';
      return { state: 'expired', decided_at: at };
    });
  }

  async start(id: string, input: { at: number; planHash: string; runId: string }): Promise<ApprovalChange> {
    return this.change(id, (row) => {
      if (row.state !== 'approved') return 'wrong_state';
      if (input.planHash !== row.plan_hash) return 'plan_mismatch';
      const running = this.database.prepare("SELECT 1 FROM approval_requests WHERE state = 'running' AND id != ? LIMIT 1").get(id);
      if (running) return 'another_running';
      return { state: 'running', started_at: input.at, run_id: input.runId };
    });
  }

  async finish(id: string, input: FinishInput): Promise<ApprovalChange> {
    return this.change(id, (row) => {
      if (input.from !== undefined && row.state !== input.from) return 'wrong_state';
      if (!mayFinish(row.state, input.state)) return 'wrong_state';
      return {
        state: input.state,
        finished_at: input.at,
        error: input.error === undefined ? row.error : input.error,
        result: input.result === undefined ? row.result : JSON.stringify(input.result),
        run_id: input.runId ?? row.run_id,
      };
    });
  }
}
