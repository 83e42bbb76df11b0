/**
 * A dashboard over a real seeded SQLite store whose snapshots were written by the real daily job, run on three
 * days (20 days ago, 2 days ago, today) with an orphaned connection added before each of the later runs, served
 * by the real local server. Everything is closed when the current test finishes.
 */
import { onTestFinished } from 'vitest';
import { MonitorRunner, JOBS, type Job } from '../../monitors/runner.ts';
import { sqliteBackend, type Backend } from '../../src/backend.ts';
import type { Config } from '../../src/config.ts';
import { dashboardRoutes, type DashboardDeps } from '../../src/dashboard/index.ts';
import { startLocalServer } from '../../src/local/server.ts';
import { seedStore, type SeedSummary } from '../../src/seed/seed.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { testConfig } from '../helpers/monitor-config.ts';
import { RecordingNotifier } from '../helpers/recording-notifier.ts';
import { tempStore } from '../helpers/temp-store.ts';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
/** When the last daily run happens; the dashboard is read an hour and a half later. */
export const TODAY = Date.parse('2026-11-27T02:00:00Z');
/** The days (before today) the daily job ran on. */
export const RUN_DAYS = [20, 2, 0] as const;

/** What a test reads the dashboard with, and the sources it compares the answers to. */
export interface DashboardFixture {
  backend: Backend;
  config: Config;
  clock: FakeClock;
  runner: MonitorRunner;
  notifier: RecordingNotifier;
  seeded: SeedSummary;
  url: string;
  /** GETs `path` (under `/dashboard/api/`) and returns the status and parsed body. */
  get<T = Record<string, unknown>>(path: string): Promise<{ status: number; body: T }>;
  /** POSTs to `path` (under `/dashboard/api/`), with a JSON content type unless `contentType` is given. */
  post<T = Record<string, unknown>>(path: string, options?: { contentType?: string | null }): Promise<{ status: number; body: T }>;
}

/** Options of the fixture. */
export interface FixtureOptions {
  /** Seed the pre-v1 shape (for the migration). */
  legacy?: boolean;
  entities?: number;
  /** Configuration changes (e.g. `monitors`). */
  config?: Partial<Config>;
  /** Replace jobs of the runner (e.g. a daily job that waits). */
  jobs?: Partial<Record<keyof typeof JOBS, Job>>;
  /** The runner the dashboard gets: the fixture's (default), or none. */
  runner?: 'fixture' | 'none';
  /** Skip the daily runs (no snapshot yet). */
  runs?: boolean;
}

/** Builds the fixture. */
export async function dashboardFixture(options: FixtureOptions = {}): Promise<DashboardFixture> {
  const { store } = tempStore();
  const backend = sqliteBackend(store, { useWorker: false });
  const config: Config = { ...testConfig('dashboard-test'), ...options.config };
  const clock = new FakeClock(TODAY - RUN_DAYS[0] * DAY);
  const seeded = await seedStore(backend.bulkLoad, { entities: options.entities ?? 150, seed: 3, now: clock.now(), legacy: options.legacy ?? false });
  const notifier = new RecordingNotifier();
  const context = backend.monitorContext({ config, notifier, now: clock.now, sleep: clock.sleep, log: () => {} });
  const runner = new MonitorRunner(context, 'dashboard-test', { ...JOBS, ...options.jobs });
  if (options.runs !== false) {
    const entity = (await backend.documents.page('entities', null, 1)).documents[0]!;
    for (const [index, daysBefore] of RUN_DAYS.entries()) {
      clock.set(TODAY - daysBefore * DAY);
      if (index > 0) {
        // One more orphaned connection each time, so the series move.
        await backend.documents.insert('connections', {
          fromEntityId: String(entity._id),
          toEntityId: `jx7missing${index}`,
          relationshipType: 'owns',
          createdAt: clock.now(),
          ...(typeof entity.groupId === 'string' ? { groupId: entity.groupId } : {}),
        });
      }
      const result = await runner.runJob('daily', 'scheduled', clock.now());
      if (result.outcome !== 'succeeded') throw new Error(`the daily run of the fixture did not succeed: ${JSON.stringify(result)}`);
    }
  }
  clock.set(TODAY + 90 * 60_000);
  const deps: DashboardDeps = { backend, config, runner: options.runner === 'none' ? null : runner, now: clock.now };
  const server = await startLocalServer({ port: 0, routes: dashboardRoutes(deps) });
  onTestFinished(async () => {
    await runner.idle();
    await server.close();
  });
  const url = server.internalUrl;
  const read = async <T>(response: Response) => ({ status: response.status, body: (await response.json()) as T });
  return {
    backend,
    config,
    clock,
    runner,
    notifier,
    seeded,
    url,
    get: async <T>(path: string) => read<T>(await fetch(`${url}dashboard/api/${path}`)),
    post: async <T>(path: string, postOptions: { contentType?: string | null } = {}) => {
      const contentType = postOptions.contentType === undefined ? 'application/json' : postOptions.contentType;
      const headers: Record<string, string> = contentType === null ? {} : { 'content-type': contentType };
      return read<T>(await fetch(`${url}dashboard/api/${path}`, { method: 'POST', headers, body: contentType === null ? 'x' : '{}' }));
    },
  };
}
