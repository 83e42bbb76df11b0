import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverOutbox } from '../../src/alerts/outbox.ts';
import { DeliveryError } from '../../src/alerts/ports.ts';
import { storeFile } from '../../src/alerts/stored-file.ts';
import { SqliteOutboxStore } from '../../src/store/sqlite/sqlite-outbox-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { SlackNotifier } from '../../src/slack/notifier.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { tempStore } from '../helpers/temp-store.ts';

/** One request the local Slack received. */
interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  fields: Record<string, string>;
  body: Buffer;
}

/** What the local Slack answers to the upload step: 200, or an error status with an optional Retry-After. */
interface Behaviour {
  uploadStatus: number;
  retryAfter?: string;
  completeError?: string;
}

/** A Slack-compatible Web API on 127.0.0.1: the three calls of `files.uploadV2` and `chat.postMessage`, recording every request. */
async function localSlack(behaviour: Behaviour) {
  const received: Received[] = [];
  let files = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = request.url ?? '';
      const fields = path.startsWith('/api/') ? Object.fromEntries(new URLSearchParams(body.toString('utf8'))) : {};
      received.push({ path, headers: request.headers, fields, body });
      const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, { 'content-type': 'application/json', ...headers });
        response.end(JSON.stringify(value));
      };
      if (path === '/api/files.getUploadURLExternal') {
        files++;
        return json(200, { ok: true, upload_url: `${base}/upload/F${files}`, file_id: `F${files}` });
      }
      if (path.startsWith('/upload/')) {
        if (behaviour.uploadStatus === 200) return json(200, { ok: true });
        return json(behaviour.uploadStatus, { error: 'unavailable' }, behaviour.retryAfter ? { 'retry-after': behaviour.retryAfter } : {});
      }
      if (path === '/api/files.completeUploadExternal') {
        if (behaviour.completeError) return json(200, { ok: false, error: behaviour.completeError });
        const [file] = JSON.parse(fields.files ?? '[]') as { id: string; title: string }[];
        return json(200, { ok: true, files: [{ id: file!.id, title: file!.title }] });
      }
      if (path === '/api/chat.postMessage') return json(200, { ok: true, channel: fields.channel, ts: '1700000000.000100' });
      json(404, { ok: false, error: 'unknown_method' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push(server);
  return { received, apiUrl: `${base}/api/`, paths: () => received.map((request) => request.path.replace(/F\d+$/, 'F_')) };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

const PICTURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array.from({ length: 300 }, (_, index) => (index * 7) % 256)]);
const FILE = { filename: 'data-quality-week-2026-11-30.png', title: 'Data quality, week to 2026-11-30', altText: 'Line charts of 8 metrics', content: PICTURE };

describe('Slack notifier: file uploads (files.uploadV2 semantics)', () => {
  it('asks for an upload URL, sends the bytes there, then completes the upload into the channel with its comment', async () => {
    const slack = await localSlack({ uploadStatus: 200 });
    const notifier = new SlackNotifier({ token: 'xoxb-test-token', apiUrl: slack.apiUrl });

    const result = await notifier.upload({ channel: 'C_REP', text: 'Weekly chart', file: FILE });

    expect(result).toEqual({ fileId: 'F1' });
    expect(slack.paths()).toEqual(['/api/files.getUploadURLExternal', '/upload/F_', '/api/files.completeUploadExternal']);
    const [ask, upload, complete] = slack.received;
    expect(ask!.fields).toMatchObject({ filename: FILE.filename, length: String(PICTURE.length), alt_text: FILE.altText });
    expect(ask!.headers.authorization).toBe('Bearer xoxb-test-token');
    expect(upload!.body.equals(Buffer.from(PICTURE))).toBe(true);
    expect(complete!.fields).toMatchObject({ channel_id: 'C_REP', initial_comment: 'Weekly chart' });
    expect(complete!.fields.thread_ts).toBeUndefined();
    expect(JSON.parse(complete!.fields.files!)).toEqual([{ id: 'F1', title: FILE.title }]);
  });

  it('shares into a thread when given one', async () => {
    const slack = await localSlack({ uploadStatus: 200 });
    const notifier = new SlackNotifier({ token: 'xoxb-test-token', apiUrl: slack.apiUrl });
    await notifier.upload({ channel: 'C_REP', text: 'In the thread', threadTs: '1700000000.000100', file: FILE });
    expect(slack.received.at(-1)!.fields).toMatchObject({ channel_id: 'C_REP', thread_ts: '1700000000.000100' });
  });

  it('fails retryably, honouring Retry-After, when the upload URL answers 503, and never completes the upload', async () => {
    const slack = await localSlack({ uploadStatus: 503, retryAfter: '7' });
    const notifier = new SlackNotifier({ token: 'xoxb-test-token', apiUrl: slack.apiUrl });
    const error = await notifier.upload({ channel: 'C_REP', text: 'Weekly chart', file: FILE }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).failure).toEqual({ kind: 'http', status: 503, retryAfterMs: 7000 });
    expect((error as DeliveryError).retryable).toBe(true);
    expect(slack.paths()).toEqual(['/api/files.getUploadURLExternal', '/upload/F_']);
  });

  it('reports what Slack said when completing is refused (not_in_channel)', async () => {
    const slack = await localSlack({ uploadStatus: 200, completeError: 'not_in_channel' });
    const notifier = new SlackNotifier({ token: 'xoxb-test-token', apiUrl: slack.apiUrl });
    const error = await notifier.upload({ channel: 'C_REP', text: 'Weekly chart', file: FILE }).catch((caught: unknown) => caught);
    expect((error as DeliveryError).failure).toEqual({ kind: 'slack', error: 'not_in_channel' });
  });
});

describe('outbox: an upload waiting for Slack survives a restart', () => {
  it('keeps the file in the store, retries it after a restart with the same bytes, and marks it sent', async () => {
    const { store, path } = tempStore();
    const clock = new FakeClock('2026-11-30T06:00:00Z');
    const [row] = await new SqliteOutboxStore(store).enqueue(
      [{ kind: 'upload', channel: 'C_REP', notificationId: null, message: { text: 'Weekly chart', file: storeFile(FILE) } }],
      clock.now(),
    );
    const down = await localSlack({ uploadStatus: 500 });
    const lines: string[] = [];
    const first = await deliverOutbox({
      outbox: new SqliteOutboxStore(store),
      notifier: new SlackNotifier({ token: 'xoxb-test-token', apiUrl: down.apiUrl }),
      now: clock.now,
      sleep: clock.sleep,
      maxInlineWaitMs: 0,
      log: (line) => lines.push(line),
    });
    expect(first).toMatchObject({ sent: 0, retried: 1, pending: 1 });
    expect(lines.join('\n')).toContain(`row ${row!.id} (upload to C_REP) will be retried`);
    store.close();

    // A new process: the store is opened again from its file, with a Slack that works.
    const reopened = SqliteStore.open(path);
    try {
      const up = await localSlack({ uploadStatus: 200 });
      clock.advance(60_000);
      const outbox = new SqliteOutboxStore(reopened);
      const second = await deliverOutbox({ outbox, notifier: new SlackNotifier({ token: 'xoxb-test-token', apiUrl: up.apiUrl }), now: clock.now, sleep: clock.sleep, log: () => {} });
      expect(second).toMatchObject({ sent: 1, pending: 0 });
      expect(up.received.find((request) => request.path.startsWith('/upload/'))!.body.equals(Buffer.from(PICTURE))).toBe(true);
      expect(up.received.at(-1)!.fields).toMatchObject({ channel_id: 'C_REP', initial_comment: 'Weekly chart' });
      const [stored] = await outbox.listOutbox({ limit: 10 });
      expect(stored).toMatchObject({ id: row!.id, kind: 'upload', status: 'sent', attempts: 2 });
    } finally {
      reopened.close();
    }
  });

  it('gives an upload up (not every channel held) when the app lacks files:write, naming the scope', async () => {
    const { store } = tempStore();
    const clock = new FakeClock('2026-11-30T06:00:00Z');
    const outbox = new SqliteOutboxStore(store);
    await outbox.enqueue(
      [
        { kind: 'upload', channel: 'C_REP', notificationId: null, message: { text: 'Weekly chart', file: storeFile(FILE) } },
        { kind: 'post', channel: 'C_CRIT', notificationId: null, message: { text: 'an alert' } },
      ],
      clock.now(),
    );
    const slack = await localSlack({ uploadStatus: 200, completeError: 'missing_scope' });
    const lines: string[] = [];
    const report = await deliverOutbox({ outbox, notifier: new SlackNotifier({ token: 'xoxb-test-token', apiUrl: slack.apiUrl }), now: clock.now, sleep: clock.sleep, maxInlineWaitMs: 0, log: (line) => lines.push(line) });
    // The alert behind the chart still goes out.
    expect(report).toMatchObject({ failed: 1, held: 0, sent: 1, pending: 0 });
    expect(lines.join('\n')).toContain('add the files:write bot scope');
    expect(slack.paths().at(-1)).toBe('/api/chat.postMessage');
  });
});
