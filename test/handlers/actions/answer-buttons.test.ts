import { describe, expect, it } from 'vitest';
import { RESPONSE_URL_MAX_USES } from '../../../src/slack/reply.ts';
import { nextStepActionId, RUN_SUBCOMMAND_ACTION_ID, SHARE_ACTION_ID } from '../../../src/slack/subcommand.ts';
import { seededBackend, SEEDED_AT } from '../../helpers/slack/seeded-backend.ts';
import { startSlackAppHarness } from '../../helpers/slack/slack-app-harness.ts';

async function setUp() {
  const { backend } = await seededBackend();
  return startSlackAppHarness({ backend, now: () => SEEDED_AT });
}

describe('buttons under command answers', () => {
  it('Share in channel runs the subcommand again and posts it for the channel, without another Share button', async () => {
    const harness = await setUp();
    const click = await harness.click(SHARE_ACTION_ID, 'metrics');
    expect(click.status).toBe(200);
    const answer = await harness.responseTo(click.responseUrl);
    expect(answer.body.response_type).toBe('in_channel');
    expect(JSON.stringify(answer.body)).toContain('Metrics platform-wide');
    expect(JSON.stringify(answer.body)).not.toContain(SHARE_ACTION_ID);
  });

  it('a next-step button runs its subcommand privately', async () => {
    const harness = await setUp();
    const click = await harness.click(RUN_SUBCOMMAND_ACTION_ID, 'versions');
    const answer = await harness.responseTo(click.responseUrl);
    expect(answer.body.response_type).toBe('ephemeral');
    expect(JSON.stringify(answer.body)).toContain('Schema versions platform-wide');
  });

  it('each next-step button of an answer has its own action id, and every one runs the subcommand its value names', async () => {
    const harness = await setUp();
    const click = await harness.click(nextStepActionId(1), 'versions');
    const answer = await harness.responseTo(click.responseUrl);
    expect(JSON.stringify(answer.body)).toContain('Schema versions platform-wide');
    expect(nextStepActionId(0)).not.toBe(nextStepActionId(1));
  });

  it('a button whose value is no longer a valid subcommand answers with the usage, privately', async () => {
    const harness = await setUp();
    const click = await harness.click(RUN_SUBCOMMAND_ACTION_ID, 'integrity --limit nope');
    const answer = await harness.responseTo(click.responseUrl);
    expect(answer.body.response_type).toBe('ephemeral');
    expect(JSON.stringify(answer.body)).toContain('--limit must be a whole number from 1 to 10,000, got \\"nope\\".');
  });

  it(`after ${RESPONSE_URL_MAX_USES} answers through one response_url, the next goes through chat.postEphemeral to the same user and channel`, async () => {
    const harness = await setUp();
    const responseUrl = harness.slack.responseUrl();
    for (let use = 0; use < RESPONSE_URL_MAX_USES; use++) {
      await harness.click(RUN_SUBCOMMAND_ACTION_ID, 'help', { responseUrl });
      await harness.responseTo(responseUrl, use);
    }
    await harness.click(RUN_SUBCOMMAND_ACTION_ID, 'help', { responseUrl, userId: 'U0BOB', channelId: 'C0OTHER' });
    const call = await harness.slack.waitFor(() => harness.slack.callsOf('chat.postEphemeral')[0]);
    expect(call.params).toMatchObject({ channel: 'C0OTHER', user: 'U0BOB' });
    expect(JSON.stringify(call.params.blocks)).toContain('/ontology help');
    expect(harness.slack.responses).toHaveLength(RESPONSE_URL_MAX_USES);
    expect(harness.slack.callsOf('chat.postMessage')).toEqual([]);
  });

  it('a shared answer past the response_url limit goes through chat.postMessage', async () => {
    const harness = await setUp();
    const responseUrl = harness.slack.responseUrl();
    for (let use = 0; use < RESPONSE_URL_MAX_USES; use++) {
      await harness.click(RUN_SUBCOMMAND_ACTION_ID, 'help', { responseUrl });
      await harness.responseTo(responseUrl, use);
    }
    await harness.click(SHARE_ACTION_ID, 'help', { responseUrl });
    const call = await harness.slack.waitFor(() => harness.slack.callsOf('chat.postMessage')[0]);
    expect(call.params.channel).toBe('C0OPS');
    expect(call.token).toBe('xoxb-test-token');
  });
});
