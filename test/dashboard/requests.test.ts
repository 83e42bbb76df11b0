/**
 * What the dashboard refuses (one line naming the parameter, the method or the body), "Run daily check now"
 * through the real monitor runner (200 with the outcome, 409 while it runs, 503 without a runner), and the page.
 */
import { describe, expect, it } from 'vitest';
import type { IntegrityAnswer, RunDailyAnswer, TrendsAnswer } from '../../src/dashboard/types.ts';
import { allGroupIds } from '../../src/quality/paging.ts';
import { dashboardFixture } from './fixture.ts';

describe('bad requests', () => {
  it.each([
    ['trends?days=0', 400, /^Query parameter days must be a whole number from 1 to 90, got "0"\.$/, 'no empty window'],
    ['trends?days=91', 400, /days must be a whole number from 1 to 90, got "91"/, 'past the bound'],
    ['trends?days=7d', 400, /days must be a whole number from 1 to 90, got "7d"/, 'not a number'],
    ['trends?days=7&days=30', 400, /^Query parameter days is given twice: pass it once\.$/, 'given twice'],
    ['trends?day=7', 400, /^Unknown query parameter "day": \/dashboard\/api\/trends takes group, days\.$/, 'misspelt'],
    ['alerts?limit=0', 400, /limit must be a whole number from 1 to 100/, 'no empty list'],
    ['integrity?group=', 400, /^Query parameter group is empty: pass a group id or slug, or leave it out for platform-wide\.$/, 'empty group'],
    ['versions?group=no-such-group', 400, /^Query parameter group names no group \("no-such-group"\): pass an id or slug from \/dashboard\/api\/groups\.$/, 'unknown group'],
    ['groups?group=x', 400, /^Unknown query parameter "group": \/dashboard\/api\/groups takes no parameters\.$/, 'groups take none'],
    ['nothing-here', 404, /^Nothing at \/dashboard\/api\/nothing-here: the dashboard answers .*\/dashboard\/api\/integrity/, 'unknown endpoint'],
  ])('GET %s answers %i with one line (%s)', async (path, status, message) => {
    const { get } = await dashboardFixture({ runs: false });
    const answer = await get<{ ok: boolean; error: string }>(path);
    expect(answer.status).toBe(status);
    expect(answer.body.ok).toBe(false);
    expect(answer.body.error).toMatch(message);
    expect(answer.body.error).not.toContain('\n');
  });

  it('refuses the wrong method, naming the one the endpoint takes', async () => {
    const { get, post, url } = await dashboardFixture({ runs: false });
    const getRun = await get<{ error: string }>('run-daily');
    expect(getRun).toEqual({ status: 405, body: { ok: false, error: '/dashboard/api/run-daily takes POST requests, not GET.' } });
    const postRead = await post<{ error: string }>('integrity');
    expect(postRead.status).toBe(405);
    expect(postRead.body.error).toBe('/dashboard/api/integrity takes GET requests, not POST.');
    expect((await fetch(`${url}dashboard/api/run-daily`)).headers.get('allow')).toBe('POST');
  });
});

describe('POST /dashboard/api/run-daily', () => {
  it('runs the daily job through the runner and answers with its outcome once it has finished', async () => {
    const { post, get, backend, clock } = await dashboardFixture();
    const groups = await allGroupIds(backend.checks);
    clock.advance(60_000);
    const before = (await get<IntegrityAnswer>('integrity')).body.card!.checkedAt;
    const { status, body } = await post<RunDailyAnswer>('run-daily');
    expect(status).toBe(200);
    expect(body.outcome).toBe('succeeded');
    // One snapshot per scope: the platform and every group.
    expect(body.counts.snapshots).toBe(groups.length + 1);
    const [run] = await backend.monitorPorts.stores.jobRuns.recentJobRuns({ limit: 1, job: 'daily' });
    expect(run).toMatchObject({ trigger: 'manual', outcome: 'succeeded', counts: body.counts });
    const after = (await get<IntegrityAnswer>('integrity')).body;
    expect(after.card!.checkedAt).toBe(run!.startedAt);
    expect(after.card!.checkedAt).toBeGreaterThan(before);
    expect(after.lastCheck).toMatchObject({ job: 'daily', startedAt: run!.startedAt, outcome: 'succeeded' });
    expect((await get<TrendsAnswer>('trends')).body.snapshots).toBe(3);
  });

  it('answers 409 while a daily run is going, then the first request gets its outcome', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const { post, get, runner } = await dashboardFixture({
      runs: false,
      jobs: {
        daily: async () => {
          started();
          await gate;
          return { snapshots: 0 };
        },
      },
    });
    const first = post<RunDailyAnswer>('run-daily');
    await running;
    expect(runner.isRunning('daily')).toBe(true);
    expect((await get<IntegrityAnswer>('integrity')).body.dailyRunning).toBe(true);
    const second = await post<{ error: string }>('run-daily');
    expect(second).toEqual({ status: 409, body: { ok: false, error: 'The daily check is already running: wait for it to finish, the dashboard refreshes then.' } });
    release();
    expect(await first).toMatchObject({ status: 200, body: { outcome: 'succeeded', counts: { snapshots: 0 } } });
  });

  it('answers 500 with one line when the run fails, keeping its error out of the answer', async () => {
    const { post, backend } = await dashboardFixture({
      runs: false,
      jobs: {
        daily: async () => {
          throw new Error('entity "Secret Product Name" broke');
        },
      },
    });
    const { status, body } = await post<{ error: string }>('run-daily');
    expect(status).toBe(500);
    expect(body.error).toBe('The daily check failed: `ontology-ops monitor status` shows the error of the run.');
    const [run] = await backend.monitorPorts.stores.jobRuns.recentJobRuns({ limit: 1, job: 'daily' });
    expect(run).toMatchObject({ outcome: 'failed' });
  });

  it('answers 503 when no monitors run in the process, and 415 without a JSON body type', async () => {
    const none = await dashboardFixture({ runs: false, runner: 'none' });
    const refused = await none.post<{ error: string }>('run-daily');
    expect(refused.status).toBe(503);
    expect(refused.body.error).toBe('No monitors run in this process (MONITOR_ENABLED=false?): run `ontology-ops monitor run daily` instead.');
    const plain = await none.post<{ error: string }>('run-daily', { contentType: null });
    expect(plain.status).toBe(415);
    expect(plain.body.error).toBe('Send the request with Content-Type: application/json.');
    expect(await none.backend.monitorPorts.stores.jobRuns.recentJobRuns({ limit: 1 })).toEqual([]);
  });
});

describe('the page', () => {
  it('is served at /dashboard/ (and /dashboard redirects there) with its script and styles', async () => {
    const { url } = await dashboardFixture({ runs: false });
    const redirect = await fetch(`${url}dashboard?group=g1`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/dashboard/?group=g1');
    const page = await fetch(`${url}dashboard/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<script type="module" src="./main.js">');
    const script = await fetch(`${url}dashboard/main.js`);
    expect(script.status).toBe(200);
    const code = await script.text();
    // The bundle carries the test ids the end-to-end tests use, and Chart.js (no CDN: the browser may be offline).
    for (const id of ['integrity-card', 'integrity-score', 'schema-compliance', 'run-daily', 'group-select', 'alerts', 'alerts-filter', 'schema-versions', 'migration-state']) {
      expect(code, id).toContain(id);
    }
    expect(code).toContain('trend-');
    expect(code).not.toMatch(/https?:\/\/cdn/);
    expect((await fetch(`${url}dashboard/main.css`)).status).toBe(200);
    expect((await fetch(`${url}dashboard/..%2f..%2fpackage.json`)).status).toBe(404);
  });
});
