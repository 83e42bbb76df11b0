/**
 * The v1 migration's state as the dashboard shows it: done or not, the lock, the newest run with its progress
 * (the `migration-status` command's service), and how many approval requests wait.
 */
import type { ApprovalRequest } from '../approvals/port.ts';
import type { DashboardDeps } from './deps.ts';
import type { MigrationAnswer } from './types.ts';

/** Approval requests read at most to count the waiting ones (each page is one bounded store call). */
const MAX_PENDING_COUNTED = 500;
const PAGE = 50;

async function pendingApprovals(deps: DashboardDeps, now: number): Promise<number> {
  let cursor: string | null = null;
  let waiting = 0;
  let read = 0;
  do {
    const page: { requests: ApprovalRequest[]; continueCursor: string | null } = await deps.backend.approvals.list({ states: ['requested'], cursor, limit: PAGE });
    waiting += page.requests.filter((request) => request.expiresAt > now).length;
    read += page.requests.length;
    cursor = page.continueCursor;
  } while (cursor !== null && read < MAX_PENDING_COUNTED);
  return waiting;
}

/** The migration state at `deps.now()`. */
export async function migrationAnswer(deps: DashboardDeps): Promise<MigrationAnswer> {
  const at = deps.now();
  const [status, pending] = await Promise.all([deps.backend.migration({ now: deps.now }).status({ limit: 1 }), pendingApprovals(deps, at)]);
  const run = status.runs[0] ?? null;
  return {
    at,
    v1MigrationCompletedAt: status.v1MigrationCompletedAt,
    lock: { held: status.lock.held, holder: status.lock.holder, since: status.lock.since },
    latestRun: run
      ? {
          id: run.id,
          kind: run.kind,
          state: run.state,
          percent: run.percent,
          phase: run.phase,
          actor: run.actor,
          startedAt: run.startedAt,
          finishedAt: run.finishedAt,
          batches: run.batches,
        }
      : null,
    pendingApprovals: pending,
  };
}
