/**
 * Edits of a request message against a real HTTP Slack Web API (the local fake, `chat.update` answering HTTP 500
 * for 40 s around the end of a run), sent by the Slack adapter (`SlackNotifier` through the outbox) on a fake clock:
 * after Slack recovers, the message reaches its final state with one edit within one retry period.
 */
import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { createEventLog } from '../../src/alerts/event-log.ts';
import { deliverOutbox } from '../../src/alerts/outbox.ts';
import { createApprovalDirectory } from '../../src/approvals/directory.ts';
import { createApprovalService } from '../../src/approvals/service.ts';
import { slackMessenger } from '../../src/slack/approvals.ts';
import { SlackNotifier } from '../../src/slack/notifier.ts';
import { APPROVAL_T0, seededBackend } from '../helpers/approvals.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { startFakeSlackApi } from '../helpers/slack/fake-slack-api.ts';

const TOKEN = 'xoxb-edits-http';

describe('approval messages while the Slack Web API answers HTTP 500', () => {
  it('500s for 40 s around the end of a run: after recovery the message shows the real outcome, edited once', async () => {
    const { backend, backupDir } = await seededBackend();
    const clock = new FakeClock(APPROVAL_T0);
    const slack = await startFakeSlackApi();
    let failingUntil = 0;
    let refused = 0;
    const shown: string[] = [];
    slack.answer('chat.update', (params) => {
      if (clock.now() < failingUntil) {
        refused++;
        return { status: 500, body: { ok: false, error: 'internal_error' } };
      }
      shown.push(JSON.stringify(params.blocks));
      return { body: { ok: true, channel: params.channel, ts: params.ts } };
    });
    const outbox = backend.monitorPorts.stores.outbox;
    const notifier = new SlackNotifier({ token: TOKEN, apiUrl: slack.url, timeoutMs: 5_000 });
    const logs: string[] = [];
    let runs = 0;
    const newRunId = () => `run${++runs}_a`;
    const service = createApprovalService({
      store: backend.approvals,
      migration: () => backend.migration({ backupDir, now: clock.now, holderId: () => 'a', newRunId }),
      newRunId,
      events: createEventLog(backend.documents, { groupSlug: 'ontology-ops' }),
      messenger: slackMessenger(new WebClient(TOKEN, { slackApiUrl: slack.url, retryConfig: { retries: 0 } })),
      outbox,
      deliver: async () => {
        await deliverOutbox({ outbox, notifier, now: clock.now, sleep: clock.sleep, maxInlineWaitMs: 0, log: (line) => logs.push(line) });
      },
      directory: createApprovalDirectory({ requesterUsergroup: null, approverUserIds: ['U_A'], approverUsergroup: null }, async () => []),
      config: { requiredApprovals: 1, channel: 'C_APPROVALS', ttlMs: 3_600_000 },
      backupDir,
      now: clock.now,
      progressIntervalMs: 0,
      log: (line) => logs.push(line),
    });

    const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    failingUntil = clock.now() + 40_000;
    await service.click({ requestId: request.id, action: 'approve', userId: 'U_A', planHash: request.planHash });
    await service.idle();
    const done = (await backend.approvals.get(request.id))!;
    expect(done).toMatchObject({ state: 'succeeded', runId: 'run1_a' });
    expect(shown).toEqual([]);
    expect(refused).toBeGreaterThan(0);
    expect(logs.some((line) => /outbox: row \S+ \(edit to C_APPROVALS\) will be retried in \d+ ms/.test(line))).toBe(true);

    // Still failing 30 s later: nothing shown. Recovered at 40 s: the next retry, 30 s on, shows the outcome.
    clock.advance(30_000);
    await service.tick();
    expect(shown).toEqual([]);
    clock.advance(30_000);
    await service.tick();
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatch(/Succeeded with regressions: v1 groupId migration.*Validation: passed/s);
    const delivered = slack.callsOf('chat.update').at(-1)!;
    expect(delivered.params).toMatchObject({ channel: done.channel, ts: done.messageTs });
    expect(delivered.token).toBe(TOKEN);

    // Delivered once: later ticks send nothing again.
    clock.advance(300_000);
    await service.tick();
    expect(shown).toHaveLength(1);
    expect(await outbox.outboxCounts()).toMatchObject({ pending: 0 });
  });
});
