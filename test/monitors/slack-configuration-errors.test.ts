import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { seedStore } from '../../src/seed/seed.ts';
import { SqliteOutboxStore } from '../../src/store/sqlite/sqlite-outbox-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { captureIo } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp-store.ts';

const NOW = '2026-11-27T02:00:00Z';

interface Call {
  method: string;
  channel: string;
  text: string;
  ok: boolean;
}

/** A local Slack Web API: refuses every message with `refusal` while it is set, else accepts it; records every call. */
async function slackApi(): Promise<{ url: string; calls: Call[]; refuse: (error: string | null) => void }> {
  const calls: Call[] = [];
  let refusal: string | null = null;
  let counter = 0;
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const fields = Object.fromEntries(new URLSearchParams(body));
      const method = request.url!.split('/').at(-1)!;
      const ok = refusal === null;
      calls.push({ method, channel: fields.channel ?? '', text: fields.text ?? '', ok });
      response.setHeader('content-type', 'application/json');
      counter++;
      response.end(JSON.stringify(ok ? { ok: true, channel: fields.channel, ts: fields.ts ?? `1700000000.${String(counter).padStart(6, '0')}` } : { ok: false, error: refusal }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`, calls, refuse: (error) => (refusal = error) };
}

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

async function outboxRows(db: string) {
  const store = SqliteStore.open(db);
  try {
    return await new SqliteOutboxStore(store).listOutbox({ limit: 1000 });
  } finally {
    store.close();
  }
}

describe('Slack configuration errors hold alerts until fixed, loudly', () => {
  it.each([
    ['not_in_channel', /invite the bot to C_CRIT/, 'the bot was never invited to the channel'],
    ['invalid_auth', /set SLACK_BOT_TOKEN to a valid bot token/, 'the token was revoked after start-up'],
  ])('%s: monitor run exits 1 naming it and the fix, status lists it, and a flush after the fix sends every alert once, in order (%s)', async (error, fix, _why) => {
    const slack = await slackApi();
    const db = await seededDb();
    const env = { SLACK_BOT_TOKEN: 'xoxb-test', ALERT_CHANNEL_CRITICAL: 'C_CRIT', SLACK_API_URL: slack.url, SLACK_TIMEOUT: '5s' };
    const cli = async (...argv: string[]) => {
      const io = captureIo(env);
      const code = await runCli(['--db', db, '--now', NOW, ...argv], io);
      return { code, out: io.out(), err: io.err() };
    };
    slack.refuse(error);

    const run = await cli('--json', 'monitor', 'run', 'daily');
    expect(run.code).toBe(1);
    const last = run.err.trim().split('\n').at(-1)!;
    expect(last).toContain(`monitor daily succeeded, but its alerts are not reaching Slack. Slack delivery held: chat.postMessage: Slack answered ${error}; to fix: `);
    expect(last).toMatch(fix);
    expect(last).toContain('`ontology-ops monitor flush` sends them now.');
    // The console says it too, at the moment it happens.
    expect(run.err).toMatch(new RegExp(`outbox: Slack refuses row \\d+ \\(post to C_CRIT\\) \\(${error}\\)`));
    const result = JSON.parse(run.out);
    expect(result).toMatchObject({ job: 'daily', outcome: 'succeeded', deliveryHeld: expect.stringContaining(error) });

    const rows = await outboxRows(db);
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.every((row) => row.status === 'pending')).toBe(true);
    expect(result.counts.messages_held).toBe(rows.length);
    // Only the oldest message probed Slack (once per delivery round); everything else waited behind it.
    expect(slack.calls.length).toBeGreaterThan(0);
    expect(slack.calls.length).toBeLessThanOrEqual(2);
    expect(slack.calls.every((call) => call.text === rows[0]!.message.text)).toBe(true);

    const status = await cli('--json', 'monitor', 'status');
    const document = JSON.parse(status.out);
    expect(document.outbox).toMatchObject({ pending: rows.length, failed: 0 });
    expect(document.heldDeliveries).toHaveLength(1);
    expect(document.runs[0]).toMatchObject({ job: 'daily', outcome: 'succeeded', error: expect.stringMatching(fix) });
    const text = await cli('monitor', 'status');
    expect(text.out).toMatch(new RegExp(`held deliveries \\(1; Slack refuses them until fixed, then they go out in order\\):\\n  #\\d+ post to C_CRIT: chat\\.postMessage: Slack answered ${error}; to fix: `));

    // Another run while still broken adds its messages behind the held ones; nothing fails.
    expect((await cli('monitor', 'run', 'hourly')).code).toBe(1);
    const flushBroken = await cli('monitor', 'flush');
    expect(flushBroken.code).toBe(1);
    expect(flushBroken.err).toContain(`Slack refuses delivery (${error}`);
    expect((await outboxRows(db)).every((row) => row.status === 'pending')).toBe(true);

    slack.refuse(null); // fixed
    const flushed = await cli('--json', 'monitor', 'flush');
    expect(flushed.code).toBe(0);
    const pendingBefore = await outboxRows(db);
    expect(JSON.parse(flushed.out)).toMatchObject({ failed: 0, held: 0, pending: 0 });
    const delivered = slack.calls.filter((call) => call.ok);
    expect(pendingBefore.every((row) => row.status === 'sent')).toBe(true);
    // Every row exactly once, in the order it was queued.
    expect(delivered.map((call) => [call.method, call.text])).toEqual(
      pendingBefore.map((row) => [row.kind === 'update' ? 'chat.update' : 'chat.postMessage', row.message.text]),
    );
    expect((await cli('--json', 'monitor', 'flush')).out).toContain('"sent": 0');
    expect(slack.calls.filter((call) => call.ok)).toHaveLength(delivered.length);
  });
});
