import { describe, expect, it } from 'vitest';
import {
  acknowledgeNotification,
  jobForSubject,
  MAX_SILENCE_MS,
  parseSilenceDuration,
  silenceFiringAlert,
  silenceNotification,
  unacknowledgeNotification,
  unsilence,
  unsilenceNotification,
} from '../../src/alerts/alert-actions.ts';
import { createEventLog } from '../../src/alerts/event-log.ts';
import { runAlertPipeline, type PipelineDeps } from '../../src/alerts/pipeline.ts';
import { silenceAlerts } from '../../src/alerts/silences.ts';
import { UNTIL_RESOLVED, type Evaluation, type NotificationRef, type Signal } from '../../src/alerts/types.ts';
import { InvalidArgumentError, NotFoundError } from '../../src/errors.ts';
import { sqliteMonitorStores } from '../../src/store/sqlite/monitor-stores.ts';
import { crossGroupSignal, testAlertsConfig } from '../helpers/alert-fixtures.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { RecordingNotifier } from '../helpers/recording-notifier.ts';
import { tempStore } from '../helpers/temp-store.ts';

const HOUR = 3_600_000;
const CONFIG = testAlertsConfig({ oncallUsergroup: 'S0ONCALL' });
const KEY = 'crossGroupViolations|critical|C_CRIT';

function evaluation(signals: Signal[]): Evaluation {
  return { source: 'test', signals, coverage: { subjects: ['crossGroupViolations'], groupIds: 'all', severities: ['critical', 'warning'] } };
}

function setup() {
  const { store } = tempStore();
  const stores = sqliteMonitorStores(store);
  const clock = new FakeClock('2026-11-27T10:00:00Z');
  const notifier = new RecordingNotifier();
  const lines: string[] = [];
  const deps: PipelineDeps = {
    alerts: stores.alerts,
    outbox: stores.outbox,
    notifier,
    events: createEventLog(store, { groupSlug: 'ontology-ops' }),
    config: CONFIG,
    now: clock.now,
    sleep: clock.sleep,
    log: (line) => lines.push(line),
  };
  const firing = [crossGroupSignal(), crossGroupSignal({ groupId: 'grp_a', value: 2 })];
  /** The first run: one message for both scopes; returns the episode its buttons name. */
  const open = async (): Promise<NotificationRef> => {
    await runAlertPipeline(deps, evaluation(firing));
    const notification = await stores.alerts.openNotification(KEY);
    return { key: KEY, openedAt: notification!.openedAt };
  };
  return { alerts: stores.alerts, outbox: stores.outbox, clock, notifier, deps, firing, open, lines };
}

describe('acknowledging an alert message', () => {
  it('acknowledges every firing member, records who and when, edits the message, and sends no reminders after', async () => {
    const { alerts, clock, notifier, deps, firing, open } = setup();
    const ref = await open();
    clock.advance(10 * 60_000);
    const outcome = await acknowledgeNotification(alerts, { ref, by: 'U0ONCALL1', now: clock.now(), config: CONFIG });
    expect(outcome).toMatchObject({ kind: 'acknowledged', by: 'U0ONCALL1', at: clock.now() });
    expect(outcome.kind === 'acknowledged' && outcome.alerts).toHaveLength(2);
    for (const alert of await alerts.firingAlerts()) expect(alert).toMatchObject({ acknowledgedBy: 'U0ONCALL1', acknowledgedAt: clock.now() });
    for (let hour = 0; hour < 9; hour++) {
      clock.advance(HOUR);
      await runAlertPipeline(deps, evaluation(firing));
    }
    expect(notifier.replies).toHaveLength(0);
    expect(notifier.updates).toHaveLength(1);
    const edited = JSON.stringify(notifier.updates[0]!.blocks);
    // Said once, under a header that no longer shouts CRITICAL; the on-call is no longer called on.
    expect(edited).toContain('Acknowledged (critical): Cross-group violations');
    expect(edited.match(/Acknowledged by <@U0ONCALL1>/g)).toHaveLength(1);
    expect(edited).toContain(':eyes: Acknowledged by <@U0ONCALL1> at <!date^1795774200^{date_short_pretty} {time}|2026-11-27 10:10 UTC>: no reminders until it resolves.');
    expect(edited).not.toContain('<!subteam^S0ONCALL>');
    expect(edited).not.toContain('"action_id":"alert_acknowledge"');
    expect(edited).toContain('"action_id":"alert_unacknowledge"');
  });

  it('is idempotent: a second click (by anyone) changes nothing and names the first acknowledgement', async () => {
    const { alerts, outbox, clock, open } = setup();
    const ref = await open();
    const first = await acknowledgeNotification(alerts, { ref, by: 'U0FIRST01', now: clock.now(), config: CONFIG });
    const queued = (await outbox.listOutbox({ limit: 50 })).length;
    clock.advance(60_000);
    const [again, other] = await Promise.all([
      acknowledgeNotification(alerts, { ref, by: 'U0FIRST01', now: clock.now(), config: CONFIG }),
      acknowledgeNotification(alerts, { ref, by: 'U0OTHER01', now: clock.now(), config: CONFIG }),
    ]);
    expect(first.kind).toBe('acknowledged');
    expect(again).toEqual({ kind: 'already', by: 'U0FIRST01', at: clock.now() - 60_000 });
    expect(other).toEqual(again);
    expect((await outbox.listOutbox({ limit: 50 })).length).toBe(queued);
  });

  it('refuses a click on the message of an alert that has resolved since, changing nothing', async () => {
    const { alerts, clock, deps, open } = setup();
    const ref = await open();
    clock.advance(HOUR);
    await runAlertPipeline(deps, evaluation([]));
    await expect(acknowledgeNotification(alerts, { ref, by: 'U0ONCALL1', now: clock.now(), config: CONFIG })).rejects.toThrow(
      /no longer firing.*nothing was changed/,
    );
    // A later fire of the same key is a new episode: the old message's buttons do not act on it.
    clock.advance(HOUR);
    await runAlertPipeline(deps, evaluation([crossGroupSignal()]));
    await expect(acknowledgeNotification(alerts, { ref, by: 'U0ONCALL1', now: clock.now(), config: CONFIG })).rejects.toBeInstanceOf(NotFoundError);
    expect((await alerts.firingAlerts())[0]!.acknowledgedBy).toBeNull();
  });
});

describe('silencing an alert message', () => {
  it('silences every scope of the message until the chosen time, shows who and until when, and posts nothing meanwhile', async () => {
    const { alerts, clock, notifier, deps, firing, open } = setup();
    const ref = await open();
    const outcome = await silenceNotification(alerts, { ref, choice: '4h', reason: 'backfill', by: 'U0ONCALL1', now: clock.now(), config: CONFIG });
    expect(outcome).toMatchObject({ kind: 'silenced', silence: { groupId: '*', severity: 'critical', until: clock.now() + 4 * HOUR, endsWhenResolved: true } });
    clock.advance(HOUR);
    await runAlertPipeline(deps, evaluation(firing));
    expect(notifier.updates).toHaveLength(1);
    expect(JSON.stringify(notifier.updates[0]!.blocks)).toContain('`grp_a` by <@U0ONCALL1> until <!date^1795788000^{date_short_pretty} {time}|2026-11-27 14:00 UTC>: backfill');
    for (let hour = 0; hour < 2; hour++) {
      clock.advance(HOUR);
      await runAlertPipeline(deps, evaluation(firing));
    }
    expect(notifier.replies).toHaveLength(0);
    expect(notifier.updates).toHaveLength(1);
  });

  it('is idempotent: a second Silence answers who silenced it and until when, and adds no silence', async () => {
    const { alerts, clock, open } = setup();
    const ref = await open();
    const [first, second] = await Promise.all([
      silenceNotification(alerts, { ref, choice: '1h', reason: 'on it', by: 'U0FIRST01', now: clock.now(), config: CONFIG }),
      silenceNotification(alerts, { ref, choice: '24h', reason: 'me too', by: 'U0OTHER01', now: clock.now(), config: CONFIG }),
    ]);
    expect(first.kind).toBe('silenced');
    expect(second).toEqual({ kind: 'already', silence: first.silence });
    expect(await alerts.activeSilences(clock.now())).toHaveLength(1);
  });

  it('ends a silence "until resolved" when the alert resolves, so a later fire posts again', async () => {
    const { alerts, clock, notifier, deps, firing, open, lines } = setup();
    const ref = await open();
    await silenceNotification(alerts, { ref, choice: 'resolved', reason: 'known issue', by: 'U0ONCALL1', now: clock.now(), config: CONFIG });
    const [silence] = await alerts.activeSilences(clock.now());
    expect(silence!.until).toBe(UNTIL_RESOLVED);
    clock.advance(30 * 24 * HOUR);
    await runAlertPipeline(deps, evaluation(firing));
    expect(await alerts.activeSilences(clock.now())).toHaveLength(1);
    expect(notifier.replies).toHaveLength(0);
    clock.advance(HOUR);
    const resolved = await runAlertPipeline(deps, evaluation([]));
    expect(resolved.decisions.map((decision) => decision.reason)).toEqual(['resolved_while_silenced', 'resolved_while_silenced']);
    expect(await alerts.activeSilences(clock.now())).toEqual([]);
    expect(lines.some((line) => line.includes(`silence #${silence!.id} (crossGroupViolations) ended`))).toBe(true);
    clock.advance(HOUR);
    const again = await runAlertPipeline(deps, evaluation([crossGroupSignal()]));
    expect(again.decisions[0]).toMatchObject({ action: 'post', reason: 'new' });
  });

  it('ends a timed silence early when the alert resolves; a silence set ahead from the CLI is left alone', async () => {
    const { alerts, clock, deps, open } = setup();
    const ref = await open();
    await silenceNotification(alerts, { ref, choice: '24h', reason: 'deploy', by: 'U0ONCALL1', now: clock.now(), config: CONFIG });
    await silenceAlerts(alerts, { subject: 'orphanedEntityCount', groupId: '*', until: clock.now() + 24 * HOUR, by: 'ops', reason: 'import', now: clock.now() });
    clock.advance(HOUR);
    await runAlertPipeline(deps, evaluation([]));
    expect((await alerts.activeSilences(clock.now())).map((silence) => silence.subject)).toEqual(['orphanedEntityCount']);
  });

  it('keeps a silence while any scope it covers still fires', async () => {
    const { alerts, clock, deps, open } = setup();
    const ref = await open();
    await silenceNotification(alerts, { ref, choice: 'resolved', reason: 'known', by: 'U0ONCALL1', now: clock.now(), config: CONFIG });
    clock.advance(HOUR);
    await runAlertPipeline(deps, evaluation([crossGroupSignal({ groupId: 'grp_a', value: 2 })]));
    expect(await alerts.activeSilences(clock.now())).toHaveLength(1);
  });
});

describe('taking an acknowledgement or a silence back', () => {
  it('unacknowledges every acknowledged member; a second click says nothing is acknowledged', async () => {
    const { alerts, clock, open } = setup();
    const ref = await open();
    await acknowledgeNotification(alerts, { ref, by: 'U0ONCALL1', now: clock.now(), config: CONFIG });
    clock.advance(HOUR);
    const outcome = await unacknowledgeNotification(alerts, { ref, by: 'U0LEAD', now: clock.now(), config: CONFIG });
    expect(outcome.kind === 'unacknowledged' && outcome.alerts.map((alert) => alert.acknowledgedBy)).toEqual(['U0ONCALL1', 'U0ONCALL1']);
    for (const alert of await alerts.firingAlerts()) expect(alert).toMatchObject({ acknowledgedBy: null, acknowledgedAt: null, lastReminderAt: clock.now() });
    expect(await unacknowledgeNotification(alerts, { ref, by: 'U0LEAD', now: clock.now(), config: CONFIG })).toEqual({ kind: 'not_acknowledged' });
    await expect(unacknowledgeNotification(alerts, { ref, by: ' ', now: clock.now(), config: CONFIG })).rejects.toThrow(/^by must name who/);
  });

  it('unsilences every silence over the message (the button\'s and one set on a group), and edits the message once', async () => {
    const { alerts, outbox, clock, open } = setup();
    const ref = await open();
    const button = await silenceNotification(alerts, { ref, choice: '4h', reason: 'known', by: 'U0ONCALL1', now: clock.now(), config: CONFIG });
    const group = await silenceAlerts(alerts, { subject: 'crossGroupViolations', groupId: 'grp_a', until: clock.now() + HOUR, by: 'ops', reason: 'backfill', now: clock.now() });
    const other = await silenceAlerts(alerts, { subject: 'orphanedEntityCount', groupId: '*', until: clock.now() + HOUR, by: 'ops', reason: 'unrelated', now: clock.now() });
    clock.advance(60_000);
    const outcome = await unsilenceNotification(alerts, { ref, now: clock.now(), config: CONFIG });
    expect(outcome.kind === 'unsilenced' && outcome.silences.map((silence) => silence.id).sort()).toEqual(
      [button.silence.id, group.id].sort(),
    );
    expect((await alerts.activeSilences(clock.now())).map((silence) => silence.id)).toEqual([other.id]);
    // One waiting edit of the message (it replaced the silence's), showing it firing with the Silence menu again.
    const rows = (await outbox.listOutbox({ status: 'pending', limit: 100 })).filter((row) => row.kind === 'update');
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0]!.message.blocks)).toContain('"action_id":"alert_silence"');
    expect(JSON.stringify(rows[0]!.message.blocks)).not.toContain('"action_id":"alert_unsilence"');
    expect(await unsilenceNotification(alerts, { ref, now: clock.now(), config: CONFIG })).toEqual({ kind: 'not_silenced' });
  });
});

describe('/ontology silence and unsilence', () => {
  it('silences one firing alert by key for a duration, then unsilence ends it and the message shows it firing again', async () => {
    const { alerts, clock, notifier, deps, firing, open } = setup();
    await open();
    const silenced = await silenceFiringAlert(alerts, {
      alert: 'crossGroupViolations|grp_a|critical',
      duration: '2h',
      reason: 'migration of grp_a',
      by: 'U0ONCALL1',
      now: clock.now(),
      config: CONFIG,
    });
    expect(silenced).toMatchObject({ kind: 'silenced', silence: { groupId: 'grp_a', until: clock.now() + 2 * HOUR } });
    const again = await silenceFiringAlert(alerts, { alert: 'crossGroupViolations|grp_a|critical', duration: '4h', reason: 'x', by: 'U0OTHER01', now: clock.now(), config: CONFIG });
    expect(again).toMatchObject({ kind: 'already', silence: { id: silenced.silence.id } });
    await runAlertPipeline(deps, evaluation(firing));
    expect(JSON.stringify(notifier.updates.at(-1)!.blocks)).toContain('*Silenced (1)*');
    clock.advance(60_000);
    const ended = await unsilence(alerts, { silenceId: `#${silenced.silence.id}`, now: clock.now(), config: CONFIG });
    expect(ended).toMatchObject({ silence: { id: silenced.silence.id }, refreshed: 1 });
    const updates = notifier.updates.length;
    await runAlertPipeline(deps, evaluation(firing));
    expect(notifier.updates).toHaveLength(updates + 1);
    expect(JSON.stringify(notifier.updates.at(-1)!.blocks)).not.toContain('Silenced');
    await expect(unsilence(alerts, { silenceId: silenced.silence.id, now: clock.now(), config: CONFIG })).rejects.toThrow(/No active silence #/);
  });

  it.each([
    ['30m', 30 * 60_000],
    ['1h', HOUR],
    ['24h', 24 * HOUR],
    ['7d', 7 * 24 * HOUR],
  ])('reads the duration %s', (text, ms) => {
    expect(parseSilenceDuration(text, 1_000)).toBe(1_000 + ms);
  });

  it.each([
    ['a unit it does not know', '1w'],
    ['no unit', '4'],
    ['zero', '0h'],
    ['longer than a week', '8d'],
    ['words', 'soon'],
  ])('refuses a duration with %s, naming the argument', (_reason, text) => {
    expect(() => parseSilenceDuration(text, 0)).toThrow(InvalidArgumentError);
    expect(() => parseSilenceDuration(text, 0)).toThrow(/^duration must be/);
  });

  it('reads "resolved" as until the alert resolves, and refuses it for a silence not made from an alert', async () => {
    expect(parseSilenceDuration('resolved', 0)).toBe(UNTIL_RESOLVED);
    expect(MAX_SILENCE_MS).toBe(7 * 24 * HOUR);
    const { alerts, clock } = setup();
    await expect(
      silenceAlerts(alerts, { subject: 'crossGroupViolations', groupId: '*', until: UNTIL_RESOLVED, by: 'ops', reason: 'x', now: clock.now() }),
    ).rejects.toThrow(/only a silence made from a firing alert/);
  });

  it('refuses a silence ending more than 7 days ahead, whatever entry point asks for it', async () => {
    const { alerts, clock } = setup();
    const request = { subject: 'crossGroupViolations', groupId: '*', by: 'ops', reason: 'x', now: clock.now() };
    await expect(silenceAlerts(alerts, { ...request, until: clock.now() + MAX_SILENCE_MS + 1 })).rejects.toThrow(
      /^until must be at most 7d after now, got .+: fix the threshold instead of a long silence\.$/,
    );
    expect(await alerts.activeSilences(clock.now())).toEqual([]);
    await expect(silenceAlerts(alerts, { ...request, until: clock.now() + MAX_SILENCE_MS })).resolves.toMatchObject({ until: clock.now() + MAX_SILENCE_MS });
  });

  it('refuses to silence an alert that is not firing', async () => {
    const { alerts, clock } = setup();
    await expect(
      silenceFiringAlert(alerts, { alert: 'crossGroupViolations|platform|critical', duration: '1h', reason: 'x', by: 'U1', now: clock.now(), config: CONFIG }),
    ).rejects.toThrow(/No firing alert/);
  });
});

describe('Run check now', () => {
  it.each([
    ['a metric: the daily full check evaluates every scope', 'crossGroupViolations', 'daily'],
    ['a trend: the weekly job', 'trend.referentialIntegrityScore', 'weekly'],
    ['a failed job: that job', 'monitor.archival', 'archival'],
  ])('re-checks %s', (_reason, subject, job) => {
    expect(jobForSubject(subject)).toBe(job);
  });
});
