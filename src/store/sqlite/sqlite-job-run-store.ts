/** The SQLite adapter of `JobRunStore`: the monitor job-run log, in the store's database file. */
import type { JobName } from '../../config.ts';
import type { JobRun, JobRunStore } from '../../../monitors/ports.ts';
import { idOf, rowidOf, toRun, type RunRow } from './monitor-rows.ts';
import { ensureMonitorSchema } from './monitor-schema.ts';
import type { SqliteStore } from './sqlite-store.ts';

/** Job runs in a `SqliteStore`'s database. Rowid order is only the tiebreak behind `started_at`. */
export class SqliteJobRunStore implements JobRunStore {
  private readonly database: SqliteStore['database'];

  constructor(store: SqliteStore) {
    this.database = store.database;
    ensureMonitorSchema(this.database);
  }

  async startJobRun(run: Pick<JobRun, 'job' | 'trigger' | 'scheduledFor' | 'startedAt' | 'instanceId'>): Promise<string> {
    const rowid = this.database
      .prepare("INSERT INTO monitor_job_runs (job, trigger, scheduled_for, started_at, outcome, instance_id) VALUES (?, ?, ?, ?, 'running', ?)")
      .run(run.job, run.trigger, run.scheduledFor, run.startedAt, run.instanceId).lastInsertRowid;
    return idOf(Number(rowid));
  }

  async finishJobRun(id: string, result: Pick<JobRun, 'finishedAt' | 'outcome' | 'counts' | 'error'>): Promise<void> {
    this.database
      .prepare('UPDATE monitor_job_runs SET finished_at = ?, outcome = ?, counts = ?, error = ? WHERE id = ?')
      .run(result.finishedAt, result.outcome, JSON.stringify(result.counts), result.error, rowidOf(id));
  }

  async recordSkippedRun(
    run: Pick<JobRun, 'job' | 'trigger' | 'scheduledFor' | 'startedAt' | 'instanceId'>,
    reason = 'the previous run was still going',
  ): Promise<void> {
    this.database
      .prepare(
        `INSERT INTO monitor_job_runs (job, trigger, scheduled_for, started_at, finished_at, outcome, error, instance_id)
         VALUES (?, ?, ?, ?, ?, 'skipped_overlap', ?, ?)`,
      )
      .run(run.job, run.trigger, run.scheduledFor, run.startedAt, run.startedAt, reason, run.instanceId);
  }

  async abandonRunsOfOthers(instanceId: string, at: number): Promise<number> {
    return this.database
      .prepare(
        `UPDATE monitor_job_runs SET outcome = 'failed', finished_at = ?,
           error = 'abandoned: instance ' || instance_id || ' stopped before the run finished'
         WHERE outcome = 'running' AND instance_id != ? AND trigger IN ('scheduled', 'catch_up')`,
      )
      .run(at, instanceId).changes;
  }

  async lastSucceededRun(job: JobName): Promise<JobRun | null> {
    const row = this.database
      .prepare("SELECT * FROM monitor_job_runs WHERE job = ? AND outcome = 'succeeded' ORDER BY started_at DESC, id DESC LIMIT 1")
      .get(job) as RunRow | undefined;
    return row ? toRun(row) : null;
  }

  async recentJobRuns(options: { limit: number; job?: JobName }): Promise<JobRun[]> {
    const rows = (
      options.job
        ? this.database
            .prepare('SELECT * FROM monitor_job_runs WHERE job = ? ORDER BY started_at DESC, id DESC LIMIT ?')
            .all(options.job, options.limit)
        : this.database.prepare('SELECT * FROM monitor_job_runs ORDER BY started_at DESC, id DESC LIMIT ?').all(options.limit)
    ) as RunRow[];
    return rows.map(toRun);
  }
}
