import { describe, expect, it } from 'vitest';
import { sqliteBackend } from '../../src/backend.ts';
import { MAX_REQUEST_SKEW_SECONDS, payloadProblem, timestampProblem } from '../../src/slack/request-guard.ts';
import { MALFORMED_SLACK_BODIES, payloadForm, postSigned } from '../helpers/slack/signed-request.ts';
import { startSlackAppHarness, TEST_SIGNING_SECRET, type SlackAppHarness } from '../helpers/slack/slack-app-harness.ts';
import { tempStore } from '../helpers/temp-store.ts';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const MALFORMED = MALFORMED_SLACK_BODIES;

function backend() {
  const { store } = tempStore();
  return sqliteBackend(store, { useWorker: false });
}

/** Resolves once a signed `/ontology help` is answered: the app still serves. */
async function stillAnswers(harness: SlackAppHarness): Promise<void> {
  const ack = await harness.command('help');
  expect(ack.status).toBe(200);
  const answer = await harness.responseTo(ack.responseUrl);
  expect(JSON.stringify(answer.body.blocks)).toContain('/ontology help');
}

describe('timestampProblem', () => {
  const now = Date.parse('2026-11-27T02:00:00Z');
  const seconds = Math.floor(now / 1000);
  it.each([
    [seconds - MAX_REQUEST_SKEW_SECONDS, 'exactly 5 minutes old'],
    [seconds + MAX_REQUEST_SKEW_SECONDS, 'exactly 5 minutes ahead'],
    [seconds, 'now'],
  ])('accepts %s (%s)', (timestamp) => {
    expect(timestampProblem(String(timestamp), now)).toBeNull();
  });

  it.each([
    [String(seconds + MAX_REQUEST_SKEW_SECONDS + 1), 'its timestamp is 301 s ahead of this clock (at most 300 s either way)'],
    [String(seconds - MAX_REQUEST_SKEW_SECONDS - 1), 'its timestamp is 301 s old (at most 300 s either way)'],
    [undefined, 'no X-Slack-Request-Timestamp in seconds'],
    ['soon', 'no X-Slack-Request-Timestamp in seconds'],
    [['1', '2'], 'no X-Slack-Request-Timestamp in seconds'],
  ])('refuses %j', (header, why) => {
    expect(timestampProblem(header, now)).toBe(why);
  });
});

describe('payloadProblem', () => {
  it.each([
    ['a slash command', 'command=%2Fontology&text=help&user_id=U1', FORM],
    ['a button click', payloadForm('{"type":"block_actions","actions":[]}'), FORM],
    ['an Events API envelope', '{"type":"event_callback","event":{"type":"app_home_opened"}}', JSON_TYPE],
    ['the URL check', '{"type":"url_verification","challenge":"c"}', JSON_TYPE],
  ])('lets %s through', (_what, body, type) => {
    expect(payloadProblem(body, type)).toBeNull();
  });

  it.each(MALFORMED)('refuses %s', (_what, body, type) => {
    expect(payloadProblem(body, type)).toEqual(expect.any(String));
  });
});

describe('the request endpoint refuses what Slack would never send', () => {
  it.each([
    [-6 * 60, 401, 'six minutes old (a replay)'],
    [+6 * 60, 401, 'six minutes in the future (a captured request replayed later)'],
    [-4 * 60, 200, 'four minutes old (a slow network)'],
    [+4 * 60, 200, 'four minutes ahead (a clock running slow here)'],
  ])('a signed command with a timestamp %i s from now gets %i (%s)', async (offset, status) => {
    const harness = await startSlackAppHarness({ backend: backend() });
    const ack = await harness.command('help', { timestamp: Math.floor(Date.now() / 1000) + offset });
    expect(ack.status).toBe(status);
    if (status === 200) {
      await harness.responseTo(ack.responseUrl);
      return;
    }
    expect(harness.logs).toContainEqual(expect.stringMatching(/^slack: refused a request to \/slack\/events \(401\): its timestamp is \d+ s (old|ahead of this clock)/));
    // A command sent after it is answered: had the refused one run, its answer would be there too.
    const later = await harness.command('help');
    await harness.responseTo(later.responseUrl);
    expect(harness.slack.responses.map((response) => response.url)).toEqual([later.responseUrl]);
  });

  it('answers every malformed signed body with 400, runs nothing, logs one line each, and still answers a valid command', async () => {
    const harness = await startSlackAppHarness({ backend: backend() });
    for (const [what, body, contentType] of MALFORMED) {
      const answer = await postSigned(harness.url, body, { secret: TEST_SIGNING_SECRET, contentType });
      expect({ what, status: answer.status, body: answer.body }).toEqual({ what, status: 400, body: '' });
    }
    const refusals = harness.logs.filter((line) => line.startsWith('slack: refused a request to /slack/events (400): '));
    expect(refusals).toHaveLength(MALFORMED.length);
    expect(harness.logs.filter((line) => !refusals.includes(line))).toEqual([]);
    expect(harness.slack.calls.filter((call) => call.method !== 'auth.test')).toEqual([]);
    expect(harness.slack.responses).toEqual([]);
    await stillAnswers(harness);
  });

  it('refuses an unsigned malformed body with 401: the signature is checked before the body is read', async () => {
    const harness = await startSlackAppHarness({ backend: backend() });
    const answer = await postSigned(harness.url, 'payload=null', { secret: 'not-the-secret' });
    expect(answer.status).toBe(401);
    await stillAnswers(harness);
  });
});
