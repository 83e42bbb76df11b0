/**
 * The contract of `JobRunStore` (monitors/ports.ts), for every adapter: runs recorded and finished, skipped
 * runs, the runs a new leader abandons, and "latest" by start time, never by id.
 */
import { describe, expect, it } from 'vitest';
import type { JobRun, JobRunStore } from '../../monitors/ports.ts';

/** The port and a close. */
export interface JobRunStoreHandles {
  port: JobRunStore;
  close: () => Promise<void>;
}

const T = Date.parse('2026-11-27T02:00:00Z');

type Start = Pick<JobRun, 'job' | 'trigger' | 'scheduledFor' | 'startedAt' | 'instanceId'>;
const start = (overrides: Partial<Start> = {}): Start => ({ job: 'daily', trigger: 'scheduled', scheduledFor: T, startedAt: T, instanceId: 'a', ...overrides });

/** Declares the suite for one adapter. */
export function jobRunStoreContract(name: string, open: () => Promise<JobRunStoreHandles>): void {
  const withPort = async <R>(body: (port: JobRunStore) => Promise<R>): Promise<R> => {
    const handles = await open();
    try {
      return await body(handles.port);
    } finally {
      await handles.close();
    }
  };

  describe(`JobRunStore contract: ${name}`, () => {
    it('records a run as running, then finished with its counts and error', () =>
      withPort(async (port) => {
        const id = await port.startJobRun(start());
        expect(typeof id).toBe('string');
        expect(await port.recentJobRuns({ limit: 10 })).toEqual([
          { id, job: 'daily', trigger: 'scheduled', scheduledFor: T, startedAt: T, finishedAt: null, outcome: 'running', counts: {}, error: null, instanceId: 'a' },
        ]);
        await port.finishJobRun(id, { finishedAt: T + 5, outcome: 'failed', counts: { groups: 3 }, error: 'TypeError: x' });
        expect((await port.recentJobRuns({ limit: 10 }))[0]).toMatchObject({ id, finishedAt: T + 5, outcome: 'failed', counts: { groups: 3 }, error: 'TypeError: x' });
        expect(await port.lastSucceededRun('daily')).toBeNull();
      }));

    it('records a skipped run with its reason (by default: the previous run was still going)', () =>
      withPort(async (port) => {
        await port.recordSkippedRun(start({ startedAt: T }));
        await port.recordSkippedRun(start({ startedAt: T + 1 }), 'running in b since then');
        expect((await port.recentJobRuns({ limit: 10 })).map((run) => [run.outcome, run.finishedAt, run.error])).toEqual([
          ['skipped_overlap', T + 1, 'running in b since then'],
          ['skipped_overlap', T, 'the previous run was still going'],
        ]);
      }));

    it("abandons only the scheduled and catch-up runs other instances left running", () =>
      withPort(async (port) => {
        const crashed = await port.startJobRun(start({ instanceId: 'old' }));
        const caughtUp = await port.startJobRun(start({ job: 'hourly', trigger: 'catch_up', instanceId: 'old' }));
        const manual = await port.startJobRun(start({ job: 'weekly', trigger: 'manual', scheduledFor: null, instanceId: 'cli-1' }));
        const mine = await port.startJobRun(start({ job: 'archival', instanceId: 'new' }));
        const finished = await port.startJobRun(start({ job: 'hourly', instanceId: 'old', startedAt: T - 1 }));
        await port.finishJobRun(finished, { finishedAt: T, outcome: 'succeeded', counts: {}, error: null });
        expect(await port.abandonRunsOfOthers('new', T + 100)).toBe(2);
        const byId = new Map((await port.recentJobRuns({ limit: 10 })).map((run) => [run.id, run]));
        for (const id of [crashed, caughtUp]) {
          expect(byId.get(id)).toMatchObject({ outcome: 'failed', finishedAt: T + 100, error: 'abandoned: instance old stopped before the run finished' });
        }
        expect(byId.get(manual)!.outcome).toBe('running');
        expect(byId.get(mine)!.outcome).toBe('running');
        expect(byId.get(finished)!.outcome).toBe('succeeded');
        expect(await port.abandonRunsOfOthers('new', T + 200)).toBe(0);
      }));

    it('finds the latest by start time, never by id, newest first and per job', () =>
      withPort(async (port) => {
        // Recorded out of time order (a catch-up records an older slot after a newer run).
        const newer = await port.startJobRun(start({ startedAt: T + 1_000 }));
        const older = await port.startJobRun(start({ startedAt: T }));
        const hourly = await port.startJobRun(start({ job: 'hourly', startedAt: T + 500 }));
        for (const id of [newer, older, hourly]) await port.finishJobRun(id, { finishedAt: T + 2_000, outcome: 'succeeded', counts: {}, error: null });
        expect((await port.lastSucceededRun('daily'))!.id).toBe(newer);
        expect((await port.recentJobRuns({ limit: 10 })).map((run) => run.id)).toEqual([newer, hourly, older]);
        expect((await port.recentJobRuns({ limit: 10, job: 'daily' })).map((run) => run.id)).toEqual([newer, older]);
        expect((await port.recentJobRuns({ limit: 1 })).map((run) => run.id)).toEqual([newer]);
        expect(await port.lastSucceededRun('weekly')).toBeNull();
      }));
  });
}
