/** The v1 migration: done or not, the lock, the latest run with its progress, approvals waiting. Platform-wide. */
import type { MigrationAnswer } from '../../src/dashboard/types.ts';
import { formatInstant, formatValue } from './format.ts';

/** The panel (`data-testid="migration-state"`). */
export function MigrationPanel({ answer }: { answer: MigrationAnswer }) {
  const run = answer.latestRun;
  return (
    <section class="panel migration" data-testid="migration-state">
      <header class="panel-head">
        <h2>v1 migration</h2>
        <span class="scope-tag">platform-wide</span>
      </header>
      <div class={`migration-state ${answer.v1MigrationCompletedAt ? 'done' : 'pending'}`} data-testid="migration-completed">
        {answer.v1MigrationCompletedAt ? `Completed ${formatInstant(Date.parse(answer.v1MigrationCompletedAt))}` : 'Not completed yet'}
      </div>
      {run ? (
        <div class="run" data-testid="migration-run">
          <div class="run-head">
            <span>
              Latest run <code>{run.id}</code>
            </span>
            <span class={`run-state run-${run.state}`}>
              {run.kind} · {run.state}
            </span>
          </div>
          <div class="progress" aria-label={`${run.percent}% done`}>
            <div class="progress-bar" style={{ width: `${Math.min(100, Math.max(0, run.percent))}%` }} />
          </div>
          <div class="muted small">
            {formatValue(run.percent, 'percent')} · {formatValue(run.batches, 'count')} batches · started {formatInstant(run.startedAt)} by {run.actor}
            {run.finishedAt !== null ? ` · finished ${formatInstant(run.finishedAt)}` : ''}
          </div>
        </div>
      ) : (
        <p class="empty-line">No migration has run.</p>
      )}
      <dl class="facts">
        <div>
          <dt>Lock</dt>
          <dd>{answer.lock.held ? `held by ${answer.lock.holder ?? '?'} since ${formatInstant(answer.lock.since)}` : 'free'}</dd>
        </div>
        <div>
          <dt>Approvals waiting</dt>
          <dd data-testid="pending-approvals">{answer.pendingApprovals}</dd>
        </div>
      </dl>
    </section>
  );
}
