/**
 * The real Bolt app connected to the local workspace as `npm start` connects them: people act through the page's
 * API, the workspace delivers signed requests to the app, and the app answers through the workspace's Web API
 * and `response_url`s. What the page would show is read from the users' snapshots.
 */
import { describe, expect, it } from 'vitest';
import { runAlertPipeline } from '../../src/alerts/pipeline.ts';
import { createEventLog } from '../../src/alerts/event-log.ts';
import { LOCAL_CHANNELS } from '../../src/local/directory.ts';
import { ALERT_ACTION_IDS } from '../../src/slack/blocks/alert.ts';
import { MAX_REASON } from '../../src/slack/blocks/silence-modal.ts';
import { APPROVE_ACTION } from '../../src/slack/blocks/approval.ts';
import { SlackNotifier } from '../../src/slack/notifier.ts';
import { crossGroupSignal } from '../helpers/alert-fixtures.ts';
import { rawRequest } from '../helpers/raw-http.ts';
import { seededBackend } from '../helpers/slack/seeded-backend.ts';
import { elementOf, messagesIn, startWorkspaceHarness, WORKSPACE_SECRET, type WorkspaceHarness } from '../helpers/workspace/workspace-harness.ts';
import type { Backend } from '../../src/backend.ts';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const ENGINEER = 'UENGINEER1';
const LEAD = 'ULEAD00001';
const { critical, report, approvals } = LOCAL_CHANNELS;

/** Posts a firing cross-group alert into the critical channel the way the daily job does: through the alert pipeline and the bot's Slack notifier. */
async function postCrossGroupAlert(harness: WorkspaceHarness, backend: Backend, store: SqliteStore): Promise<void> {
  const { stores } = backend.monitorPorts;
  await runAlertPipeline(
    {
      alerts: stores.alerts,
      outbox: stores.outbox,
      notifier: new SlackNotifier({ token: harness.config.slack.botToken!, apiUrl: harness.config.slack.apiUrl, timeoutMs: 5_000 }),
      events: createEventLog(store, { groupSlug: 'ontology-ops' }),
      config: harness.config.alerts,
      now: Date.now,
      sleep: async () => {},
      log: () => {},
    },
    {
      source: 'daily',
      signals: [crossGroupSignal()],
      coverage: { subjects: ['crossGroupViolations'], groupIds: 'all', severities: ['critical', 'warning'] },
    },
  );
}

const textOf = (message: { text: string; blocks: unknown[] }) => `${message.text}\n${JSON.stringify(message.blocks)}`;

describe('the bot in the local workspace', () => {
  it('answers /ontology integrity typed in the composer with the report, visible to the one who asked', async () => {
    const { backend } = await seededBackend();
    const harness = await startWorkspaceHarness({ backend });
    expect(await harness.type(ENGINEER, report.id, '/ontology integrity')).toEqual({ ok: true, status: 200 });
    const answer = await harness.waitFor(ENGINEER, (snapshot) =>
      messagesIn(snapshot, report.id).find((message) => message.ephemeral && message.bot && /integrity/i.test(textOf(message))),
    );
    expect(answer.user).toBe('UBOTLOCAL1');
    expect(textOf(answer)).toMatch(/orphan/i);
    // The answer replaced the "Working on it…" note the command was acknowledged with: one message, the report.
    expect(messagesIn(await harness.snapshot(ENGINEER), report.id).map((message) => /Working on it/.test(textOf(message)))).toEqual([false]);
    // Ephemeral: the lead's view of the channel does not have it.
    expect(messagesIn(await harness.snapshot(LEAD), report.id)).toEqual([]);
  });

  it('a shared slow answer is posted in the channel and the working note removed', async () => {
    const { backend } = await seededBackend();
    const harness = await startWorkspaceHarness({ backend });
    expect(await harness.type(ENGINEER, report.id, '/ontology versions --share')).toEqual({ ok: true, status: 200 });
    const shared = await harness.waitFor(LEAD, (snapshot) => messagesIn(snapshot, report.id).find((message) => !message.ephemeral && /Schema versions/.test(textOf(message))));
    expect(shared.bot).toBe(true);
    await harness.waitFor(ENGINEER, (snapshot) => (messagesIn(snapshot, report.id).some((message) => /Working on it/.test(textOf(message))) ? undefined : true));
    expect(messagesIn(await harness.snapshot(ENGINEER), report.id)).toHaveLength(1);
  });

  it('shows the usage the app answers a bad subcommand with in its ack, privately', async () => {
    const { backend } = await seededBackend();
    const harness = await startWorkspaceHarness({ backend });
    expect(await harness.type(ENGINEER, report.id, '/ontology frobnicate')).toEqual({ ok: true, status: 200 });
    // Answered in the ack body itself: there when the delivery returns, nothing posted through the Web API.
    const [usage, ...rest] = messagesIn(await harness.snapshot(ENGINEER), report.id);
    expect(rest).toEqual([]);
    expect(usage).toMatchObject({ ephemeral: true, bot: true });
    expect(textOf(usage!)).toContain('frobnicate');
    expect(textOf(usage!)).toContain('integrity');
  });

  it('acknowledges an alert from its button: the alert message is edited in place and the clicker told', async () => {
    const { backend, store } = await seededBackend();
    const harness = await startWorkspaceHarness({ backend });
    await postCrossGroupAlert(harness, backend, store);
    const alert = messagesIn(await harness.snapshot(ENGINEER), critical.id)[0]!;
    expect(alert.edited).toBe(false);
    const acknowledge = elementOf(alert, ALERT_ACTION_IDS.acknowledge)!;
    expect(
      await harness.click(ENGINEER, { kind: 'message', channelId: critical.id, messageTs: alert.ts }, acknowledge.blockId, ALERT_ACTION_IDS.acknowledge),
    ).toEqual({ ok: true, status: 200 });
    const edited = await harness.waitFor(ENGINEER, (snapshot) =>
      messagesIn(snapshot, critical.id).find((message) => message.ts === alert.ts && message.edited),
    );
    expect(textOf(edited)).toContain(`Acknowledged by <@${ENGINEER}>`);
    const told = await harness.waitFor(ENGINEER, (snapshot) => messagesIn(snapshot, critical.id).find((message) => message.ephemeral));
    expect(told.text).toContain('You acknowledged');
    // The same message, edited: the lead sees the edit, and no second alert message was posted.
    expect(messagesIn(await harness.snapshot(LEAD), critical.id).map((message) => [message.ts, message.edited])).toEqual([[alert.ts, true]]);
  });

  it('silences an alert through its menu and the reason modal (views.open, then view_submission)', async () => {
    const { backend, store } = await seededBackend();
    const harness = await startWorkspaceHarness({ backend });
    await postCrossGroupAlert(harness, backend, store);
    const alert = messagesIn(await harness.snapshot(LEAD), critical.id)[0]!;
    const menu = elementOf(alert, ALERT_ACTION_IDS.silence)!;
    const oneHour = menu.options!.find((option) => option.text.text === '1 hour')!;
    await harness.click(LEAD, { kind: 'message', channelId: critical.id, messageTs: alert.ts }, menu.blockId, ALERT_ACTION_IDS.silence, oneHour.value);
    const modal = await harness.waitFor(LEAD, (snapshot) => snapshot.modal);
    expect(modal.title).toBe('Silence alert');
    // The engineer has no modal: it opened for the one who chose.
    expect((await harness.snapshot(ENGINEER)).modal).toBeNull();
    const input = modal.blocks.find((block) => block.type === 'input')!;
    const tooShort = await harness.post('view-submission', {
      user: LEAD,
      viewId: modal.id,
      values: { [input.block_id!]: { reason: 'x' } },
    });
    expect(tooShort.json).toEqual({ ok: true, status: 200 });
    expect((await harness.snapshot(LEAD)).modal?.errors?.[input.block_id!]).toContain('at least 3 characters');
    await harness.post('view-submission', {
      user: LEAD,
      viewId: modal.id,
      values: { [input.block_id!]: { reason: 'backfill running' } },
    });
    expect((await harness.snapshot(LEAD)).modal).toBeNull();
    const edited = await harness.waitFor(LEAD, (snapshot) =>
      messagesIn(snapshot, critical.id).find((message) => message.ts === alert.ts && /silenced/i.test(textOf(message))),
    );
    expect(textOf(edited)).toContain('backfill running');
  });

  it("refuses a silence reason longer than the input's max_length as Slack's client does: the error shows in the modal, nothing reaches the bot", async () => {
    const { backend, store } = await seededBackend();
    const harness = await startWorkspaceHarness({ backend });
    await postCrossGroupAlert(harness, backend, store);
    const alert = messagesIn(await harness.snapshot(LEAD), critical.id)[0]!;
    const menu = elementOf(alert, ALERT_ACTION_IDS.silence)!;
    const oneHour = menu.options!.find((option) => option.text.text === '1 hour')!;
    await harness.click(LEAD, { kind: 'message', channelId: critical.id, messageTs: alert.ts }, menu.blockId, ALERT_ACTION_IDS.silence, oneHour.value);
    const modal = await harness.waitFor(LEAD, (snapshot) => snapshot.modal);
    const input = modal.blocks.find((block) => block.type === 'input')!;
    const element = input.element as { action_id: string; max_length: number };
    expect(element.max_length).toBe(MAX_REASON);
    const submit = (reason: string) => harness.post('view-submission', { user: LEAD, viewId: modal.id, values: { [input.block_id!]: { [element.action_id]: reason } } });

    expect((await submit('r'.repeat(9 * 1024))).json).toEqual({ ok: false, error: 'input_too_long' });
    expect((await harness.snapshot(LEAD)).modal).toMatchObject({ id: modal.id, errors: { [input.block_id!]: `Must be ${MAX_REASON} characters or fewer (this is 9216).` } });
    expect((await submit('r'.repeat(MAX_REASON + 1))).json).toEqual({ ok: false, error: 'input_too_long' });
    const untouched = messagesIn(await harness.snapshot(LEAD), critical.id).find((message) => message.ts === alert.ts)!;
    expect([untouched.edited, /silenced/i.test(textOf(untouched))]).toEqual([false, false]);

    // At the limit it goes through, and the bot silences the alert with it.
    expect((await submit('r'.repeat(MAX_REASON))).json).toEqual({ ok: true, status: 200 });
    expect((await harness.snapshot(LEAD)).modal).toBeNull();
    await harness.waitFor(LEAD, (snapshot) => messagesIn(snapshot, critical.id).find((message) => message.ts === alert.ts && /silenced/i.test(textOf(message))));
  });

  it('DNS rebinding: a page of evil.example resolving to this machine can neither request nor approve a migration', async () => {
    const { backend } = await seededBackend();
    const harness = await startWorkspaceHarness({ backend });
    const { port } = harness.server;
    // The page's own origin is evil.example, so to the browser its requests are same-origin: only Host gives it away.
    const rebound = (endpoint: string, body?: unknown) =>
      rawRequest(harness.server.internalUrl, {
        method: body === undefined ? 'GET' : 'POST',
        path: `/workspace/api/${endpoint}`,
        headers: { host: `evil.example:${port}`, origin: `http://evil.example:${port}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const openRequests = async () => (await backend.approvals.list({ cursor: null, limit: 10 })).requests.map((request) => request.state);

    expect((await rebound('command', { user: ENGINEER, channel: approvals.id, text: '/ontology migrate' })).status).toBe(403);
    expect((await rebound(`state?user=${LEAD}`)).status).toBe(403);
    expect(await openRequests()).toEqual([]);
    expect(messagesIn(await harness.snapshot(ENGINEER), approvals.id)).toEqual([]);

    // The engineer really requests one; the page, even knowing its message, cannot approve it as the lead.
    await harness.type(ENGINEER, approvals.id, '/ontology migrate');
    const request = await harness.waitFor(ENGINEER, (snapshot) =>
      messagesIn(snapshot, approvals.id).find((message) => !message.ephemeral && elementOf(message, APPROVE_ACTION)),
    );
    const approve = elementOf(request, APPROVE_ACTION)!;
    const click = await rebound('action', {
      user: LEAD,
      surface: { kind: 'message', channelId: approvals.id, messageTs: request.ts },
      blockId: approve.blockId,
      actionId: APPROVE_ACTION,
    });
    expect([click.status, JSON.parse(click.body).error]).toEqual([403, expect.stringMatching(/^Refused: /)]);
    await harness.app.approvals.idle();
    expect(await openRequests()).toEqual(['requested']);
    const after = messagesIn(await harness.snapshot(LEAD), approvals.id).find((message) => message.ts === request.ts)!;
    expect([after.edited, elementOf(after, APPROVE_ACTION)?.blockId]).toEqual([false, approve.blockId]);
  });

  it('four-eyes: the engineer requests a migration and cannot approve it; the lead approves and the request is edited', async () => {
    const { backend } = await seededBackend();
    const harness = await startWorkspaceHarness({ backend });
    await harness.type(ENGINEER, approvals.id, '/ontology migrate');
    const request = await harness.waitFor(ENGINEER, (snapshot) =>
      messagesIn(snapshot, approvals.id).find((message) => !message.ephemeral && elementOf(message, APPROVE_ACTION)),
    );
    const approve = elementOf(request, APPROVE_ACTION)!;
    const surface = {
      kind: 'message' as const,
      channelId: approvals.id,
      messageTs: request.ts,
    };

    await harness.click(ENGINEER, surface, approve.blockId, APPROVE_ACTION);
    const refusal = await harness.waitFor(ENGINEER, (snapshot) =>
      messagesIn(snapshot, approvals.id)
        .filter((message) => message.ephemeral)
        .find((message) => /cannot approve/i.test(message.text)),
    );
    expect(refusal.text).toBe('You requested this, so you cannot approve it: another approver must.');
    expect(messagesIn(await harness.snapshot(ENGINEER), approvals.id).find((message) => message.ts === request.ts)!.edited).toBe(false);

    await harness.click(LEAD, surface, approve.blockId, APPROVE_ACTION);
    const approved = await harness.waitFor(LEAD, (snapshot) =>
      messagesIn(snapshot, approvals.id).find((message) => message.ts === request.ts && message.edited && textOf(message).includes(`<@${LEAD}>`)),
    );
    expect(elementOf(approved, APPROVE_ACTION)).toBeNull();
    await harness.app.approvals.idle();
    const final = messagesIn(await harness.snapshot(LEAD), approvals.id).find((message) => message.ts === request.ts)!;
    expect(textOf(final)).toMatch(/succeeded|completed|finished/i);
  });

  it('publishes the Home tab when a user opens it (app_home_opened), per user', async () => {
    const { backend } = await seededBackend();
    const harness = await startWorkspaceHarness({ backend });
    expect((await harness.post('home-opened', { user: LEAD })).json).toEqual({
      ok: true,
      status: 200,
    });
    const home = await harness.waitFor(LEAD, (snapshot) => snapshot.home);
    expect(JSON.stringify(home.blocks)).toMatch(/integrity/i);
    expect((await harness.snapshot(ENGINEER)).home).toBeNull();
  });

  it('signs as Slack signs: an app configured with another signing secret refuses every request, and nothing runs', async () => {
    const { backend } = await seededBackend();
    const harness = await startWorkspaceHarness({
      backend,
      signingSecret: WORKSPACE_SECRET.replace(/^0/, '1'),
    });
    const outcome = await harness.type(ENGINEER, report.id, '/ontology integrity');
    expect(outcome).toEqual({
      ok: false,
      status: 401,
      error: 'http_client_error',
    });
    const messages = messagesIn(await harness.snapshot(ENGINEER), report.id);
    expect(messages.map((message) => [message.user, message.text])).toEqual([['USLACKBOT', '/ontology failed with the error "http_client_error"']]);
  });
});
