import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/program.ts';
import { seedStore } from '../../../src/seed/seed.ts';
import { formatInstant } from '../../../src/slack/blocks/format.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { captureIo } from '../../helpers/cli.ts';
import { startFakeSlackApi } from '../../helpers/slack/fake-slack-api.ts';
import { tempDir } from '../../helpers/temp-store.ts';

const NOW = '2026-11-27T02:00:00Z';

async function seededDb(): Promise<string> {
  const path = join(tempDir(), 'ontology.db');
  const store = SqliteStore.open(path);
  try {
    await seedStore(store, { entities: 60, seed: 5, now: Date.parse(NOW) });
  } finally {
    store.close();
  }
  return path;
}

async function cli(db: string, ...argv: string[]) {
  const io = captureIo();
  const code = await runCli(['--db', db, '--now', NOW, ...argv], io);
  return { code, out: io.out(), err: io.err() };
}

describe('ontology-ops monitor', () => {
  it('runs a job once, prints its counts, and shows it in status with the alerts it raised', async () => {
    const db = await seededDb();
    const run = await cli(db, '--json', 'monitor', 'run', 'daily');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.out);
    expect(result).toMatchObject({ job: 'daily', outcome: 'succeeded', counts: { snapshots: expect.any(Number) } });
    // Without a Slack token the console notifier prints the messages on stderr.
    expect(run.err).toContain('[#ops-critical] :red_circle: CRITICAL: Cross-group violations (platform-wide');
    // One top-level message per subject and severity, however many groups fire.
    const posts = run.err.split('\n').filter((line) => /^\[#[^ \]]+\] /.test(line));
    expect(posts).toHaveLength(result.counts.messages_post);
    expect(result.counts.messages_post).toBeLessThan(result.counts.alerts_post);

    const status = await cli(db, '--json', 'monitor', 'status');
    expect(status.code).toBe(0);
    const document = JSON.parse(status.out);
    expect(document.lastSucceeded.daily).toBe(Date.parse(NOW));
    // Every run recorded: job, trigger, start, end, outcome, counts, error.
    expect(document.runs[0]).toEqual({
      id: expect.any(String),
      job: 'daily',
      trigger: 'manual',
      scheduledFor: null,
      startedAt: Date.parse(NOW),
      finishedAt: Date.parse(NOW),
      outcome: 'succeeded',
      counts: result.counts,
      error: null,
      instanceId: expect.stringMatching(/^cli-\d+$/),
    });
    // Every decision is in the log with its reason, for the auditor.
    expect(document.decisions).toContainEqual(
      expect.objectContaining({ key: 'crossGroupViolations|platform|critical', source: 'daily', action: 'post', reason: 'new' }),
    );
    expect(document.firing.map((alert: { key: string }) => alert.key)).toContain('crossGroupViolations|platform|critical');
    expect(document.outbox).toMatchObject({ pending: 0, failed: 0 });

    const text = await cli(db, 'monitor', 'status');
    expect(text.out).toContain('crossGroupViolations|platform|critical');
    expect(text.out).toMatch(/recent alert decisions:\n.* daily +#\d+ \S+\|\S+\|\S+: post \(new\) value /);
  });

  it('silences, lists, ends a silence, and acknowledges an alert', async () => {
    const db = await seededDb();
    await cli(db, 'monitor', 'run', 'hourly');
    const silence = await cli(db, '--json', 'monitor', 'silence', 'orphanedEntityCount', '--until', '2h', '--by', 'U1', '--reason', 'cleanup running');
    expect(silence.code).toBe(0);
    const silenced = JSON.parse(silence.out) as { id: unknown };
    expect(silenced).toMatchObject({ id: expect.any(String), subject: 'orphanedEntityCount', groupId: null, until: Date.parse(NOW) + 2 * 3_600_000 });
    const ack = await cli(db, '--json', 'monitor', 'ack', 'crossGroupViolations|platform|critical', '--by', 'U2');
    expect(JSON.parse(ack.out)).toMatchObject({ acknowledgedBy: 'U2', acknowledgedAt: Date.parse(NOW) });
    // Ids are opaque strings: the one `monitor status` lists is the one `ack` and `unsilence` take.
    const before = JSON.parse((await cli(db, '--json', 'monitor', 'status')).out) as { firing: { id: string; key: string }[] };
    const orphaned = before.firing.find((alert) => alert.key === 'orphanedEntityCount|platform|critical')!;
    const ackById = await cli(db, '--json', 'monitor', 'ack', orphaned.id, '--by', 'U3');
    expect(JSON.parse(ackById.out)).toMatchObject({ id: orphaned.id, key: orphaned.key, acknowledgedBy: 'U3' });
    expect((await cli(db, 'monitor', 'unsilence', String(silenced.id))).code).toBe(0);
    const status = JSON.parse((await cli(db, '--json', 'monitor', 'status')).out);
    expect(status.silences).toEqual([]);
  });

  it.each([
    [['monitor', 'run', 'yearly'], 'ontology-ops: job must be one of hourly, daily, weekly, archival, got "yearly".', 'unknown job'],
    [['monitor', 'unsilence', '7'], 'ontology-ops: No active silence 7: list them with `ontology-ops monitor status`.', 'no such silence'],
    [['monitor', 'unsilence', 'sil_x1'], 'ontology-ops: No active silence sil_x1: list them with `ontology-ops monitor status`.', 'an id this store never issued'],
    [['monitor', 'ack', '007', '--by', 'U1'], 'ontology-ops: No firing alert "007": list them with `ontology-ops monitor status`.', 'another spelling of an id is not that id'],
    [['monitor', 'ack', '99', '--by', 'U1'], 'ontology-ops: No firing alert "99": list them with `ontology-ops monitor status`.', 'no such alert'],
    [
      ['monitor', 'silence', 'crossGroupViolations', '--until', 'tomorrowish', '--by', 'U1', '--reason', 'x'],
      'ontology-ops: --until must be an ISO 8601 date-time or epoch milliseconds, got "tomorrowish".',
      'unreadable time',
    ],
    [
      ['monitor', 'silence', 'crossGroupViolatons', '--until', '2h', '--by', 'U1', '--reason', 'x'],
      'ontology-ops: subject must be a metric (referentialIntegrityScore, orphanedEntityCount, crossGroupViolations, missingGroupIds, ' +
        'malformedPropertiesPercent, schemaComplianceScore, eventArchivalProgress, invalidMetadataCount), trend.<metric> or ' +
        'monitor.<hourly|daily|weekly|archival>, got "crossGroupViolatons".',
      'a misspelt subject would silence nothing while looking in force',
    ],
    [
      ['monitor', 'silence', 'crossGroupViolations', '--until', '2h', '--by', 'U1', '--reason', 'x', '--group', 'grp_nope'],
      'ontology-ops: --group grp_nope names no group in this store: pass a group id from an alert or `ontology-ops monitor status`, "platform" or "*".',
      'an unknown group would silence nothing',
    ],
    [
      ['monitor', 'silence', 'crossGroupViolations', '--until', '2026-11-27T01:00:00Z', '--by', 'U1', '--reason', 'x'],
      'ontology-ops: until must be a time in the future, got 2026-11-27T01:00:00.000Z.',
      'a silence that already ended',
    ],
    [
      ['monitor', 'silence', 'crossGroupViolations', '--until', '2h', '--by', 'U1', '--reason', 'x', '--severity', 'loud'],
      'ontology-ops: --severity must be one of critical, warning, info, got "loud".',
      'unknown severity',
    ],
  ])('%j fails with one line', async (argv, message, _reason) => {
    const db = await seededDb();
    const result = await cli(db, ...argv);
    expect(result.code).toBe(1);
    expect(result.err.trim().split('\n').at(-1)).toBe(message);
  });
  it('refuses to run a job another process is running, naming it and since when, and records nothing', async () => {
    const db = await seededDb();
    const other = SqliteStore.open(db); // the scheduler, in another process
    try {
      // Leases coordinate live processes, so they follow the real clock even when `--now` pins the job's instant.
      const since = Date.now() - 60_000;
      await other.acquireLease('monitor-job:daily', 'replica-a', 120_000, since);
      const result = await cli(db, 'monitor', 'run', 'daily');
      expect(result.code).toBe(1);
      expect(result.err.trim().split('\n')).toEqual([
        `ontology-ops: monitor daily is already running in replica-a since ${formatInstant(since)}; wait for it to finish ` +
          '(`ontology-ops monitor status`), or for its lease to expire if that process died.',
      ]);
      const status = JSON.parse((await cli(db, '--json', 'monitor', 'status')).out);
      expect(status.runs).toEqual([]);
      expect(status.running).toEqual([{ job: 'daily', holder: 'replica-a', since }]);
      expect(await other.getLease('monitor-job:daily')).toMatchObject({ holder: 'replica-a' }); // left alone
    } finally {
      other.close();
    }
  });
});

describe('monitor run and monitor flush while Slack hangs', () => {
  /** A Slack whose `chat.postMessage` never answers until `recover()`; then it answers as Slack does. */
  async function hangingSlack() {
    const slack = await startFakeSlackApi();
    let hanging = true;
    let sequence = 0;
    slack.answer('chat.postMessage', (params) =>
      hanging ? new Promise(() => {}) : { body: { ok: true, channel: params.channel, ts: `1700000100.${String(++sequence).padStart(6, '0')}` } },
    );
    const env = { SLACK_BOT_TOKEN: 'xoxb-test', ALERT_CHANNEL_CRITICAL: 'C_CRIT', SLACK_API_URL: slack.url, SLACK_TIMEOUT: '1m' };
    return { slack, env, recover: () => (hanging = false) };
  }

  async function timed(db: string, env: NodeJS.ProcessEnv, ...argv: string[]) {
    const io = captureIo(env);
    const started = Date.now();
    const code = await runCli(['--db', db, '--now', NOW, ...argv], io);
    return { code, out: io.out(), err: io.err(), tookMs: Date.now() - started };
  }

  async function outbox(db: string): Promise<{ pending: number; sent: number; failed: number }> {
    return JSON.parse((await cli(db, '--json', 'monitor', 'status')).out).outbox;
  }

  it('both stop within --delivery-timeout, exit 75 naming how many messages wait, keep them, and a later flush sends them', async () => {
    const db = await seededDb();
    const { slack, env, recover } = await hangingSlack();

    // SLACK_TIMEOUT is a minute: only the delivery bound can end these within seconds.
    const run = await timed(db, env, 'monitor', 'run', 'daily', '--delivery-timeout', '2s');
    expect(run.tookMs).toBeLessThan(20_000);
    expect(run.code).toBe(75);
    const waiting = await outbox(db);
    expect(waiting).toMatchObject({ sent: 0, failed: 0 });
    expect(waiting.pending).toBeGreaterThan(0);
    expect(run.err.trim().split('\n').at(-1)).toBe(
      `ontology-ops: monitor daily succeeded, but ${waiting.pending} message(s) wait in the outbox (Slack did not take them within the 2s of ` +
        '--delivery-timeout): `ontology-ops monitor flush` sends them once Slack answers again.',
    );
    expect(slack.callsOf('chat.postMessage').length).toBeGreaterThan(0);

    const flush = await timed(db, env, 'monitor', 'flush', '--delivery-timeout', '2s');
    expect(flush.tookMs).toBeLessThan(10_000);
    expect(flush.code).toBe(75);
    expect(flush.err.trim().split('\n').at(-1)).toBe(
      `ontology-ops: monitor flush sent 0, but ${waiting.pending} message(s) wait in the outbox (Slack did not take them within the 2s of ` +
        '--delivery-timeout): `ontology-ops monitor flush` sends them once Slack answers again.',
    );
    expect(await outbox(db)).toEqual(waiting);

    recover();
    const sent = await timed(db, env, 'monitor', 'flush');
    expect(sent.code).toBe(0);
    expect(sent.out).toBe(`sent ${waiting.pending}, retried 0, failed 0, held 0, pending 0\n`);
    expect(await outbox(db)).toMatchObject({ pending: 0, sent: waiting.pending, failed: 0 });
  }, 60_000);

  it('monitor ack records the acknowledgement, stops within --delivery-timeout with exit 75, and a later flush shows it', async () => {
    const db = await seededDb();
    const { slack, env, recover } = await hangingSlack();
    recover();
    const run = await timed(db, env, 'monitor', 'run', 'daily');
    expect(run.code, run.err).toBe(0);
    let hanging = true;
    slack.answer('chat.update', (params) => (hanging ? new Promise(() => {}) : { body: { ok: true, channel: params.channel, ts: params.ts } }));

    const ack = await timed(db, env, '--json', 'monitor', 'ack', 'crossGroupViolations|platform|critical', '--by', 'U2', '--delivery-timeout', '2s');
    expect(ack.tookMs).toBeLessThan(10_000);
    expect(ack.code).toBe(75);
    const acknowledged = JSON.parse(ack.out) as { id: string; acknowledgedBy: string };
    expect(acknowledged.acknowledgedBy).toBe('U2');
    expect(ack.err.trim().split('\n').at(-1)).toBe(
      `ontology-ops: alert #${acknowledged.id} was acknowledged, but 1 message(s) wait in the outbox (Slack did not take them within the 2s of ` +
        '--delivery-timeout): `ontology-ops monitor flush` sends them once Slack answers again.',
    );
    expect(slack.callsOf('chat.update')).toHaveLength(1);
    expect((await outbox(db)).pending).toBe(1);

    hanging = false;
    const flush = await timed(db, env, 'monitor', 'flush');
    expect(flush.code).toBe(0);
    expect(flush.out).toBe('sent 1, retried 0, failed 0, held 0, pending 0\n');
    expect(slack.callsOf('chat.update')).toHaveLength(2);
  }, 60_000);

  it.each([['0s'], ['500ms'], ['11m'], ['soon']])('refuses --delivery-timeout %s with one line, before running anything', async (value) => {
    const db = await seededDb();
    for (const argv of [['monitor', 'run', 'daily'], ['monitor', 'flush']]) {
      const result = await cli(db, ...argv, '--delivery-timeout', value);
      expect(result.code).toBe(1);
      expect(result.err).toBe(`ontology-ops: --delivery-timeout must be a duration from 1s to 10m (e.g. 45s, 2m), got "${value}".\n`);
    }
    expect(JSON.parse((await cli(db, '--json', 'monitor', 'status')).out).runs).toEqual([]);
  });
});
