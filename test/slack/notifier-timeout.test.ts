import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DeliveryError } from '../../src/alerts/ports.ts';
import { createNotifier, SlackNotifier } from '../../src/slack/notifier.ts';

/** A local Slack Web API that takes every request and never answers; `requests` counts them. */
async function hungSlack(): Promise<{ url: string; requests: () => number }> {
  const open: ServerResponse[] = [];
  const server = createServer((_request, response) => void open.push(response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`, requests: () => open.length };
}

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DeliveryError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('Slack notifier against a Slack that never answers', () => {
  it('gives up a call after its timeout, as a retryable timed_out failure', async () => {
    const slack = await hungSlack();
    const notifier = new SlackNotifier({ token: 'xoxb-test', apiUrl: slack.url, timeoutMs: 300 });
    const started = Date.now();
    const error = await failure(notifier.post({ channel: 'C1', text: 'hello' }));
    const took = Date.now() - started;
    expect(error.failure).toEqual({ kind: 'timed_out', afterMs: 300 });
    expect(error.message).toBe('chat.postMessage: Slack did not answer within 300 ms');
    expect(error.retryable).toBe(true);
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(3_000);
    expect(slack.requests()).toBe(1);
  });

  it('times out edits and auth.test as well', async () => {
    const slack = await hungSlack();
    const notifier = new SlackNotifier({ token: 'xoxb-test', apiUrl: slack.url, timeoutMs: 200 });
    expect((await failure(notifier.update({ channel: 'C1', ts: '1.1', text: 'x' }))).failure.kind).toBe('timed_out');
    expect((await failure(notifier.identity())).failure.kind).toBe('timed_out');
  });

  it('cuts a call in flight short on stop, and sends nothing after it', async () => {
    const slack = await hungSlack();
    const notifier = new SlackNotifier({ token: 'xoxb-test', apiUrl: slack.url, timeoutMs: 60_000 });
    const pending = failure(notifier.post({ channel: 'C1', text: 'hello' }));
    while (slack.requests() === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const started = Date.now();
    notifier.stop();
    const error = await pending;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error.failure).toEqual({ kind: 'stopped' });
    expect((await failure(notifier.post({ channel: 'C1', text: 'later' }))).failure).toEqual({ kind: 'stopped' });
    expect(slack.requests()).toBe(1);
  });

  it('takes its timeout from the configuration (SLACK_TIMEOUT)', async () => {
    const slack = await hungSlack();
    const notifier = createNotifier({ botToken: 'xoxb-1', signingSecret: null, appToken: null, apiUrl: slack.url, timeoutMs: 150 });
    expect((await failure(notifier.post({ channel: 'C1', text: 'x' }))).failure).toEqual({ kind: 'timed_out', afterMs: 150 });
  });
});
