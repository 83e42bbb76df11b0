/**
 * The "one truth per moment" scenario, run by a test per adapter: start (the catch-up archival and daily run),
 * migrate, undo, restore, archival. After each step the platform's and one group's values are read from every
 * surface (the quality service behind the CLI's JSON, the `/ontology metrics` answer, `/ontology status` and the
 * Home view, the firing alerts' current values, the dashboard's integrity JSON) and must agree with the live
 * metrics, or be a snapshot labelled with its time. Every data change goes through the re-evaluation hook, as the
 * app wires it.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { reevaluateAfterChange, type DataChange } from '../../monitors/after-change.ts';
import { startScheduler, type SchedulerHandle } from '../../monitors/scheduler.ts';
import type { Backend } from '../../src/backend.ts';
import { integrityAnswer } from '../../src/dashboard/integrity.ts';
import { reportReadings, SUBJECTS, type Subject } from '../../src/quality/severity.ts';
import { metricsMessage } from '../../src/slack/blocks/answers.ts';
import { homeView } from '../../src/slack/blocks/home.ts';
import { statusMessage } from '../../src/slack/blocks/status.ts';
import { gatherOverview } from '../../src/slack/overview.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { testConfig } from '../helpers/monitor-config.ts';
import { RecordingNotifier } from '../helpers/recording-notifier.ts';
import { tempDir } from '../helpers/temp-store.ts';

/** The scenario's start: events two years old are not archived yet. */
export const SCENARIO_START = Date.parse('2026-11-27T10:20:00Z');
const YEAR = 365 * 86_400_000;

/** A small data set through the document port (the same on both adapters): two groups, v0 entities, old events. */
async function seed(backend: Backend): Promise<{ groupId: string }> {
  const now = SCENARIO_START - 86_400_000;
  const acme = await backend.documents.insert('groups', { slug: 'acme', name: 'Acme', type: 'organization', status: 'active', createdAt: now, updatedAt: now });
  const beta = await backend.documents.insert('groups', { slug: 'beta', name: 'Beta', type: 'organization', status: 'active', createdAt: now, updatedAt: now });
  const entities: string[] = [];
  for (const [index, groupId] of [acme._id, acme._id, acme._id, beta._id, beta._id, null].entries()) {
    // Pre-v1 shape: no schemaVersion; the last one has no groupId either.
    const entity = await backend.documents.insert('entities', {
      ...(groupId === null ? {} : { groupId }),
      type: 'agent',
      name: `agent ${index}`,
      properties: {},
      status: 'active',
      createdAt: now,
      updatedAt: now,
    });
    entities.push(String(entity._id));
  }
  for (const [from, to] of [[0, 1], [1, 2], [3, 4]] as const) {
    const groupId = from < 3 ? acme._id : beta._id;
    await backend.documents.insert('connections', { groupId, fromEntityId: entities[from]!, toEntityId: entities[to]!, relationshipType: 'works_with', createdAt: now, updatedAt: now });
  }
  await addOldEvents(backend, String(acme._id), entities[0]!, 3);
  return { groupId: String(acme._id) };
}

/** Events two years old, not archived (what the archival job archives). */
async function addOldEvents(backend: Backend, groupId: string, actorId: string, count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    await backend.documents.insert('events', { groupId, type: 'entity_updated', actorId, targetId: actorId, timestamp: SCENARIO_START - 2 * YEAR + index, metadata: {} });
  }
}

/** One surface's reading of a subject: the text it shows, and the snapshot time it is labelled with (null: live). */
interface Shown {
  surface: string;
  subject: Subject;
  display: string;
  snapshotAt: number | null;
}

/** `*Title* :emoji:\nvalue (rule)` (status / Home) or `*Title*\n:emoji: value (rule)` (metrics answer) fields, by title. */
function fieldValues(blocks: unknown[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const block of blocks as { fields?: { text: string }[] }[]) {
    for (const field of block.fields ?? []) {
      const match = /^\*(.+?)\*(?: :[a-z_]+:)?\n(?::[a-z_]+: )?(\S+) \(/.exec(field.text);
      if (match) values.set(match[1]!, match[2]!);
    }
  }
  return values;
}

/** The scenario's world: the backend, the scheduler this process runs, a clock and what Slack received. */
export interface Scenario {
  backend: Backend;
  groupId: string;
  clock: FakeClock;
  notifier: RecordingNotifier;
  scheduler: SchedulerHandle;
  backupDir: string;
}

/** Seeds the store and starts the monitors as `npm start` does (the catch-up runs archival, then the daily check). */
export async function startScenario(backend: Backend): Promise<Scenario> {
  const { groupId } = await seed(backend);
  const clock = new FakeClock(SCENARIO_START);
  const notifier = new RecordingNotifier();
  const config = testConfig('solo');
  const scheduler = startScheduler({ config, ports: backend.monitorPorts, quality: backend.quality, notifier, now: clock.now, sleep: clock.sleep, log: () => {} });
  await scheduler.ready;
  await scheduler.runner.idle();
  return { backend, groupId, clock, notifier, scheduler, backupDir: join(tempDir(), 'backups') };
}

/** A data change made by this process, followed by the re-evaluation the app runs after it. */
export async function change(scenario: Scenario, kind: DataChange, act: () => Promise<unknown>): Promise<void> {
  scenario.clock.advance(60_000);
  await act();
  expect(await reevaluateAfterChange(scenario.scheduler.runner, kind, () => {})).toMatchObject({ outcome: 'succeeded' });
}

/** Runs the archival job after new old events arrived; its own listener re-evaluates. */
export async function archive(scenario: Scenario): Promise<void> {
  scenario.clock.advance(60_000);
  await addOldEvents(scenario.backend, scenario.groupId, String((await scenario.backend.documents.page('entities', null, 1)).documents[0]!._id), 2);
  expect(await scenario.scheduler.runner.runJob('archival', 'manual')).toMatchObject({ outcome: 'succeeded', counts: { archived: 2 } });
  await scenario.scheduler.runner.idle();
}

/**
 * Reads every surface for the platform and the group and asserts each shows the live value (as the severity
 * model writes it) or a snapshot value labelled with its time that equals the live one right after the change.
 */
export async function expectOneTruth(scenario: Scenario, step: string): Promise<void> {
  const { backend, clock, groupId } = scenario;
  const config = testConfig('solo');
  const now = clock.now();
  const firing = await backend.monitorPorts.stores.alerts.firingAlerts();
  const overview = await gatherOverview(
    {
      alerts: backend.monitorPorts.stores.alerts,
      jobRuns: backend.monitorPorts.stores.jobRuns,
      snapshots: backend.monitorPorts.stores.snapshots,
      monitors: config.monitors,
      thresholds: config.alerts.thresholds,
      migrationStatus: () => backend.migration({ now: clock.now, backupDir: scenario.backupDir }).status(),
      documents: backend.documents,
      now: clock.now,
    },
    null,
  );
  for (const scope of [null, groupId]) {
    const live = await backend.quality.metrics({ now, ...(scope ? { groupId: scope } : {}) });
    const expected = new Map(reportReadings(live, config.alerts.thresholds).map((reading) => [reading.subject, reading]));
    const shown: Shown[] = [];
    const byTitle = (values: Map<string, string>, surface: string, snapshotAt: number | null) => {
      for (const subject of SUBJECTS) {
        const display = values.get(expected.get(subject)!.title);
        if (display !== undefined) shown.push({ surface, subject, display, snapshotAt });
      }
    };
    byTitle(fieldValues(metricsMessage({ report: live, scope: null, thresholds: config.alerts.thresholds, nextSteps: [] }).blocks as unknown[]), '/ontology metrics', null);
    const dashboard = await integrityAnswer({ backend, config, runner: scenario.scheduler.runner, now: clock.now }, scope ? { id: scope, slug: 'acme', name: 'Acme' } : null);
    expect(dashboard.card, `${step}: the dashboard has a snapshot of ${scope ?? 'the platform'}`).not.toBeNull();
    for (const metric of dashboard.card!.metrics) shown.push({ surface: 'dashboard', subject: metric.metric as Subject, display: metric.display, snapshotAt: dashboard.card!.checkedAt });
    if (scope === null) {
      const card = overview.integrity!;
      const status = statusMessage(overview);
      const home = homeView(overview);
      // Both label the card's values with the snapshot's time.
      for (const text of [JSON.stringify(status.blocks), JSON.stringify(home.blocks)]) expect(text).toContain(`snapshot of <!date^${Math.floor(card.checkedAt / 1000)}^`);
      byTitle(fieldValues(status.blocks as unknown[]), '/ontology status', card.checkedAt);
      byTitle(fieldValues(home.blocks as unknown[]), 'Home', card.checkedAt);
    }
    for (const alert of firing.filter((candidate) => candidate.groupId === scope && (SUBJECTS as readonly string[]).includes(candidate.subject))) {
      expect(alert.lastValue, `${step}: firing alert ${alert.key} carries the live value`).toBe(live[alert.subject as Subject]);
      expect(alert.severity, `${step}: firing alert ${alert.key} has the live status`).toBe(expected.get(alert.subject as Subject)!.status);
    }
    // A subject that is not healthy now fires; one that is healthy does not.
    for (const reading of expected.values()) {
      const fires = firing.some((alert) => alert.groupId === scope && alert.subject === reading.subject);
      expect(fires, `${step}: ${reading.subject} of ${scope ?? 'the platform'} fires iff it is not healthy (${reading.status})`).toBe(reading.status !== 'healthy');
    }
    for (const entry of shown) {
      const label = `${step}: ${entry.surface} shows ${entry.subject} of ${scope ?? 'the platform'}`;
      // Right after a change the snapshot is the re-evaluation's: labelled, and equal to the live value.
      if (entry.snapshotAt !== null) expect(entry.snapshotAt, label).toBe(now);
      expect(entry.display, label).toBe(expected.get(entry.subject)!.display);
    }
    expect(shown.length, `${step}: every surface was read`).toBeGreaterThanOrEqual(scope === null ? 4 * SUBJECTS.length : 2 * SUBJECTS.length);
  }
}

/**
 * The whole scenario on one backend. `backups: false` leaves out the full restore (it needs a backup the migration
 * wrote, and the Convex test harness's ids are not ones a real export carries, so its backups do not verify).
 */
export async function runOneTruthScenario(backend: Backend, options: { backups: boolean } = { backups: true }): Promise<void> {
  const scenario = await startScenario(backend);
  try {
    await expectOneTruth(scenario, 'start');
    const migration = () => backend.migration({ now: scenario.clock.now, backupDir: scenario.backupDir });
    let runId = '';
    let backupFile = '';
    await change(scenario, 'migration', async () => {
      const report = await migration().run({ actor: 'U_LEAD', backup: options.backups });
      runId = report.runId!;
      backupFile = report.backupFile ?? '';
    });
    await expectOneTruth(scenario, 'migrate');
    await change(scenario, 'rollback', () => migration().undoRun(runId, { actor: 'U_LEAD' }));
    await expectOneTruth(scenario, 'undo');
    if (options.backups) {
      await change(scenario, 'migration', () => migration().run({ actor: 'U_LEAD', backup: true }));
      await change(scenario, 'rollback', () => migration().restoreBackup(backupFile, { actor: 'U_LEAD' }));
      await expectOneTruth(scenario, 'restore');
    }
    await archive(scenario);
    await expectOneTruth(scenario, 'archival');
  } finally {
    await scenario.scheduler.stop();
  }
}
