/**
 * The local workspace holds the bot to Slack's Block Kit rules: what Slack refuses (`invalid_blocks`,
 * `invalid_arguments`) it refuses through the Web API and `response_url`s, and the next-step buttons of one answer,
 * now each with its own action id, run the subcommand they name.
 */
import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { LOCAL_CHANNELS } from '../../src/local/directory.ts';
import { seededBackend } from '../helpers/slack/seeded-backend.ts';
import { startFakeBotWorkspace } from '../helpers/workspace/fake-bot.ts';
import { messagesIn, startWorkspaceHarness } from '../helpers/workspace/workspace-harness.ts';

const { critical, report } = LOCAL_CHANNELS;
const ENGINEER = 'UENGINEER1';

const button = (actionId: string, label: string) => ({ type: 'button', action_id: actionId, text: { type: 'plain_text', text: label }, value: label });

describe('Block Kit in the local workspace', () => {
  it('refuses a message whose buttons share an action_id (invalid_blocks), as Slack does, and keeps nothing of it', async () => {
    const local = await startFakeBotWorkspace();
    const client = new WebClient(local.botToken, { slackApiUrl: `${local.server.internalUrl}api/`, retryConfig: { retries: 0 } });
    const blocks = [{ type: 'actions', elements: [button('run', 'Integrity check'), button('run', 'Trend (7 days)')] }];
    await expect(client.chat.postMessage({ channel: critical.id, text: 'x', blocks })).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
    const distinct = [{ type: 'actions', elements: [button('run_1', 'Integrity check'), button('run_2', 'Trend (7 days)')] }];
    const posted = await client.chat.postMessage({ channel: critical.id, text: 'x', blocks: distinct });
    expect(posted.ok).toBe(true);
    await expect(client.chat.update({ channel: critical.id, ts: posted.ts!, text: 'y', blocks })).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
    const kept = local.workspace.state.snapshot(ENGINEER, true).channels.find((channel) => channel.id === critical.id)!.messages;
    expect(kept.map((message) => message.text)).toEqual(['x']);
  });

  it('refuses a Home tab with two blocks of one block_id (invalid_arguments), and publishes nothing', async () => {
    const local = await startFakeBotWorkspace();
    const client = new WebClient(local.botToken, { slackApiUrl: `${local.server.internalUrl}api/`, retryConfig: { retries: 0 } });
    const home = { type: 'home' as const, blocks: [{ type: 'divider', block_id: 'x' }, { type: 'divider', block_id: 'x' }] };
    await expect(client.views.publish({ user_id: ENGINEER, view: home })).rejects.toMatchObject({ data: { error: 'invalid_arguments' } });
    expect(local.workspace.state.snapshot(ENGINEER, true).home).toBeNull();
  });

  it('"Trend (7 days)" under a metrics answer runs trend, not the integrity check beside it', async () => {
    const { backend } = await seededBackend();
    const harness = await startWorkspaceHarness({ backend });
    await harness.type(ENGINEER, report.id, '/ontology metrics');
    const answer = await harness.waitFor(ENGINEER, (snapshot) => messagesIn(snapshot, report.id).find((message) => message.bot && message.text.startsWith('Metrics platform-wide')));
    const actions = answer.blocks.find((block) => block.type === 'actions')!;
    const elements = actions.elements as { action_id: string; text: { text: string } }[];
    expect(new Set(elements.map((element) => element.action_id)).size).toBe(elements.length);
    const trend = elements.find((element) => element.text.text === 'Trend (7 days)')!;

    await harness.click(ENGINEER, { kind: 'message', channelId: report.id, messageTs: answer.ts }, actions.block_id!, trend.action_id);
    const shown = await harness.waitFor(ENGINEER, (snapshot) =>
      messagesIn(snapshot, report.id).find((message) => message.bot && /^(Trend|No snapshots) platform-wide/.test(message.text)),
    );
    expect(shown.text).toMatch(/7 days/);
    expect(messagesIn(await harness.snapshot(ENGINEER), report.id).some((message) => message.text.startsWith('Integrity'))).toBe(false);
  });
});
