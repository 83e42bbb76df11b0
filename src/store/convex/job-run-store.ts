/**
 * The `JobRunStore` port over a Convex deployment (`convex/jobRuns.ts`): one mutation per write, listings page
 * through bounded queries, and abandoning the runs of other instances goes page by page over the running ones.
 */
import type { JobName } from '../../config.ts';
import type { JobRun, JobRunStore } from '../../../monitors/ports.ts';
import type { ConvexCaller } from './client.ts';
import { checkedLimit, readPages } from './pages.ts';

type Start = Pick<JobRun, 'job' | 'trigger' | 'scheduledFor' | 'startedAt' | 'instanceId'>;

function startWire(run: Start) {
  return { job: run.job, trigger: run.trigger, scheduledFor: run.scheduledFor, startedAt: run.startedAt, instanceId: run.instanceId };
}

/** The job-run log of a Convex deployment (constructed by the composition root). */
export class ConvexJobRunStore implements JobRunStore {
  constructor(private readonly caller: ConvexCaller) {}

  startJobRun(run: Start): Promise<string> {
    return this.caller.mutation<string>('jobRuns:start', startWire(run));
  }

  async finishJobRun(id: string, result: Pick<JobRun, 'finishedAt' | 'outcome' | 'counts' | 'error'>): Promise<void> {
    await this.caller.mutation('jobRuns:finish', { id, finishedAt: result.finishedAt, outcome: result.outcome, counts: { ...result.counts }, error: result.error });
  }

  async recordSkippedRun(run: Start, reason = 'the previous run was still going'): Promise<void> {
    await this.caller.mutation('jobRuns:recordSkipped', { ...startWire(run), reason });
  }

  async abandonRunsOfOthers(instanceId: string, at: number): Promise<number> {
    let total = 0;
    let cursor: string | null = null;
    do {
      const page: { abandoned: number; continueCursor: string | null } = await this.caller.mutation('jobRuns:abandonPage', { instanceId, at, cursor });
      total += page.abandoned;
      cursor = page.continueCursor;
    } while (cursor !== null);
    return total;
  }

  lastSucceededRun(job: JobName): Promise<JobRun | null> {
    return this.caller.query<JobRun | null>('jobRuns:lastSucceeded', { job });
  }

  recentJobRuns(options: { limit: number; job?: JobName }): Promise<JobRun[]> {
    return readPages<JobRun>(this.caller, 'jobRuns:recentPage', { job: options.job ?? null }, 'runs', checkedLimit(options.limit));
  }
}
