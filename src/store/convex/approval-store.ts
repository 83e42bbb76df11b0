/**
 * The `ApprovalStore` port over a Convex deployment (`convex/approvals.ts`): every transition is one compare-and-set
 * mutation, so the rules hold across clicks, replicas and replays exactly as in SQLite. Ids are the deployment's
 * document ids; plan and result summaries travel and are stored as JSON text.
 */
import {
  APPROVAL_STATES,
  OPEN_APPROVAL_STATES,
  type ApprovalChange,
  type ApprovalRequest,
  type ApprovalState,
  type ApprovalStore,
  type FinishInput,
  type NewApprovalRequest,
} from '../../approvals/port.ts';
import { InvalidArgumentError } from '../../errors.ts';
import { convexErrorData, type ConvexCaller } from './client.ts';

/** Requests per list page at most (the server's `APPROVAL_PAGE_ROWS`). */
const APPROVAL_PAGE_ROWS = 50;

/** A request as the server returns it: the summaries still JSON text. */
type WireRequest = Omit<ApprovalRequest, 'plan' | 'result'> & { plan: string; result: string | null };
type WireChange = { changed: true; request: WireRequest } | { changed: false; reason: Extract<ApprovalChange, { changed: false }>['reason']; request: WireRequest | null };

function fromWire(request: WireRequest): ApprovalRequest {
  return { ...request, rejectReason: request.rejectReason ?? null, plan: JSON.parse(request.plan) as unknown, result: request.result === null ? null : (JSON.parse(request.result) as unknown) };
}

function changeFromWire(change: WireChange): ApprovalChange {
  if (change.changed) return { changed: true, request: fromWire(change.request) };
  return { changed: false, reason: change.reason, request: change.request === null ? null : fromWire(change.request) };
}

/** Approval requests in a Convex deployment (constructed by the composition root). */
export class ConvexApprovalStore implements ApprovalStore {
  constructor(private readonly caller: ConvexCaller) {}

  /** Calls a mutation, turning the server's argument refusal into the port's one-line error. */
  private async mutate<T>(path: string, args: Parameters<ConvexCaller['mutation']>[1]): Promise<T> {
    try {
      return await this.caller.mutation<T>(path, args);
    } catch (error) {
      const data = convexErrorData(error);
      if (data?.code === 'InvalidArgument') throw new InvalidArgumentError(`The approval request cannot be written: ${data.message}.`);
      throw error;
    }
  }

  async create(request: NewApprovalRequest): Promise<ApprovalRequest> {
    return fromWire(await this.mutate<WireRequest>('approvals:create', ConvexApprovalStore.newRequestArgs(request)));
  }

  async open(request: NewApprovalRequest): Promise<{ created: boolean; request: ApprovalRequest }> {
    const opened = await this.mutate<{ created: boolean; request: WireRequest }>('approvals:open', ConvexApprovalStore.newRequestArgs(request));
    return { created: opened.created, request: fromWire(opened.request) };
  }

  private static newRequestArgs(request: NewApprovalRequest) {
    if (!Number.isInteger(request.requiredApprovals) || request.requiredApprovals < 1) {
      throw new InvalidArgumentError(`requiredApprovals must be a whole number ≥ 1, got ${request.requiredApprovals}.`);
    }
    return {
      kind: request.kind,
      target: request.target,
      requestedBy: request.requestedBy,
      requestedAt: request.requestedAt,
      expiresAt: request.expiresAt,
      requiredApprovals: request.requiredApprovals,
      planHash: request.planHash,
      plan: JSON.stringify(request.plan ?? null),
      parentId: request.parentId ?? null,
    };
  }

  async get(id: string): Promise<ApprovalRequest | null> {
    const request = await this.caller.query<WireRequest | null>('approvals:get', { id });
    return request === null ? null : fromWire(request);
  }

  async list(query: { states?: readonly ApprovalState[]; cursor: string | null; limit: number }) {
    const states = query.states ?? OPEN_APPROVAL_STATES;
    for (const state of states) if (!APPROVAL_STATES.includes(state)) throw new InvalidArgumentError(`Unknown approval state "${state}".`);
    // The cursor is the creation time of the previous page's last request.
    const after = query.cursor === null ? null : Number(query.cursor);
    if (after !== null && (query.cursor!.trim() === '' || !Number.isFinite(after) || after < 0)) {
      throw new InvalidArgumentError(`Approval list cursor "${query.cursor}" was not issued by this store.`);
    }
    const numItems = Math.max(1, Math.min(Number.isSafeInteger(query.limit) ? query.limit : 1, APPROVAL_PAGE_ROWS));
    const page = await this.caller.query<{ requests: WireRequest[]; continueAfter: number | null }>('approvals:page', { states: [...states], after, numItems });
    return { requests: page.requests.map(fromWire), continueCursor: page.continueAfter === null ? null : String(page.continueAfter) };
  }

  async setMessage(id: string, message: { channel: string; ts: string }): Promise<void> {
    await this.mutate('approvals:setMessage', { id, channel: message.channel, ts: message.ts });
  }

  async approve(id: string, input: { userId: string; at: number; planHash: string }): Promise<ApprovalChange> {
    return changeFromWire(await this.mutate<WireChange>('approvals:approve', { id, userId: input.userId, at: input.at, planHash: input.planHash }));
  }

  async reject(id: string, input: { userId: string; at: number; reason?: string | null }): Promise<ApprovalChange> {
    return changeFromWire(await this.mutate<WireChange>('approvals:reject', { id, userId: input.userId, at: input.at, reason: input.reason ?? null }));
  }

  async expire(id: string, at: number): Promise<ApprovalChange> {
    return changeFromWire(await this.mutate<WireChange>('approvals:expire', { id, at }));
  }

  async start(id: string, input: { at: number; planHash: string; runId: string }): Promise<ApprovalChange> {
    return changeFromWire(await this.mutate<WireChange>('approvals:start', { id, at: input.at, planHash: input.planHash, runId: input.runId }));
  }

  async finish(id: string, input: FinishInput): Promise<ApprovalChange> {
    const args = {
      id,
      at: input.at,
      state: input.state,
      ...(input.error === undefined ? {} : { error: input.error }),
      ...(input.result === undefined ? {} : { result: JSON.stringify(input.result) }),
      ...(input.runId === undefined ? {} : { runId: input.runId }),
      ...(input.from === undefined ? {} : { from: input.from }),
    };
    return changeFromWire(await this.mutate<WireChange>('approvals:finish', args));
  }
}
