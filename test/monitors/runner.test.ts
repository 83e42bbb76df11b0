import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { alertErrorText, MonitorRunner, type Job } from '../../monitors/runner.ts';
import type { JobName } from '../../src/config.ts';
import { ErrorCode, OpsError } from '../../src/errors.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { FakeQuality } from '../helpers/fake-quality.ts';
import { monitorContext } from '../helpers/monitor-context.ts';
import { tempStore } from '../helpers/temp-store.ts';

function failingDaily(error: unknown): Record<JobName, Job> {
  const nothing: Job = async () => ({});
  return {
    hourly: nothing,
    weekly: nothing,
    archival: nothing,
    daily: async () => {
      throw error;
    },
  };
}

describe('"monitor failed" alerts carry ids and counts only', () => {
  it.each([
    {
      error: new Error('value secret-123 is bad'),
      slack: 'Last error: Error (',
      why: 'a plain error may quote a record value: only its class reaches Slack',
    },
    {
      error: new Database.SqliteError('constraint failed on secret-123', 'SQLITE_BUSY'),
      slack: 'Last error: SqliteError SQLITE_BUSY (',
      why: 'a driver error shows its class and code, not its message',
    },
    {
      error: Object.assign(new TypeError('cannot read secret-123'), { code: 'not an identifier secret-123' }),
      slack: 'Last error: TypeError (',
      why: 'a code that is free text is not shown either',
    },
  ])('$why', async ({ error, slack }) => {
    const { store } = tempStore();
    const clock = new FakeClock('2026-11-27T02:00:00Z');
    const { context, notifier, stores, lines } = monitorContext(store, clock, new FakeQuality());
    const result = await new MonitorRunner(context, 'solo', failingDaily(error)).runJob('daily', 'scheduled');
    expect(result.outcome).toBe('failed');
    const payload = JSON.stringify(notifier.sent);
    expect(notifier.topLevelPosts).toHaveLength(1);
    expect(payload).toContain(slack.replaceAll('"', '\\"'));
    expect(payload).not.toContain('secret-123');
    // The full first line stays in the run record and the process log, for whoever investigates.
    const [run] = await stores.jobRuns.recentJobRuns({ limit: 1, job: 'daily' });
    expect(run!.error).toContain('secret-123');
    expect(lines.some((line) => line.includes('secret-123'))).toBe(true);
  });

  it.each([
    [new OpsError(ErrorCode.StoreUnavailable, 'store file data/ontology.db cannot be opened: check --db'), 'OpsError store_unavailable: store file data/ontology.db cannot be opened: check --db', 'a coded error names ids and fields: its message is shown'],
    [new Database.SqliteError('locked by value secret-123', 'SQLITE_BUSY'), 'SqliteError SQLITE_BUSY', 'class and code only'],
    [new Error('value secret-123 is bad\nsecond line'), 'Error', 'class only'],
    ['a string secret-123', 'a thrown string', 'not an Error at all'],
    [Object.assign(new Error('x'), { name: 'Bad name secret-123' }), 'Error', 'a name that is free text is not shown'],
  ])('alertErrorText(%s) is %j (%s)', (error, expected, _reason) => {
    expect(alertErrorText(error)).toBe(expected);
  });
});
