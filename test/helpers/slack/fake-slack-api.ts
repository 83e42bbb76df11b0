/**
 * A local Slack-compatible Web API on 127.0.0.1 (`SLACK_API_URL` points at it): records every call and answers
 * the way Slack does (`{ ok: true, … }`), plus `response_url` endpoints and file upload URLs that record what is
 * posted to them. A test can replace the answer of any method (`answer`) and wait for calls (`waitFor`).
 * Like Slack, it refuses Block Kit that breaks Slack's rules (`invalid_blocks`, `invalid_arguments` for views,
 * checked by `src/slack/blocks/validate.ts`), and the test fails at its end if the bot sent any such payload,
 * unless the test says it expects that (`expectRefusals`).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';
import { messageProblems, viewProblems } from '../../../src/slack/blocks/validate.ts';

/** One Web API call as Slack received it. */
export interface RecordedCall {
  method: string;
  /** The arguments, JSON-valued fields (blocks, …) parsed. */
  params: Record<string, unknown>;
  /** The bearer token it came with. */
  token: string | null;
}

/** One post to a `response_url`. */
export interface RecordedResponse {
  url: string;
  body: Record<string, unknown>;
}

/** What a method answers: a JSON body (and optionally an HTTP status). */
export type MethodAnswer = (params: Record<string, unknown>, call: RecordedCall) => { status?: number; body: Record<string, unknown> } | Promise<{ status?: number; body: Record<string, unknown> }>;

/** The running fake. */
export interface FakeSlackApi {
  /** The Web API base URL (`…/api/`). */
  readonly url: string;
  readonly calls: RecordedCall[];
  readonly responses: RecordedResponse[];
  /** Bodies posted to upload URLs, by file id. */
  readonly uploads: Map<string, Buffer>;
  /** Payloads refused as Slack would refuse them: the method (or `response_url`) and the problems. */
  readonly refused: { method: string; problems: string[] }[];
  /** Lets the current test send payloads Slack refuses (a test of the refusal itself). */
  expectRefusals(): void;
  /** A fresh `response_url` for an interaction. */
  responseUrl(): string;
  /** Replaces the answer of `method`. */
  answer(method: string, answer: MethodAnswer): void;
  /** Calls of one method. */
  callsOf(method: string): RecordedCall[];
  /** Resolves once `predicate` holds (checked on every recorded call or response), or rejects after `timeoutMs`. */
  waitFor<T>(predicate: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Arguments of a Web API call: form-encoded (fields holding JSON parsed) or JSON. */
function parseParams(raw: string, contentType: string): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const params: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    params[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return params;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Methods whose payload Slack checks against Block Kit's rules, and the error it answers. */
const CHECKED_METHODS: Record<string, { error: string; problems: (params: Record<string, unknown>) => string[] }> = {
  'chat.postMessage': { error: 'invalid_blocks', problems: messageProblems },
  'chat.update': { error: 'invalid_blocks', problems: messageProblems },
  'chat.postEphemeral': { error: 'invalid_blocks', problems: messageProblems },
  'views.open': { error: 'invalid_arguments', problems: (params) => viewProblems(params.view) },
  'views.update': { error: 'invalid_arguments', problems: (params) => viewProblems(params.view) },
  'views.publish': { error: 'invalid_arguments', problems: (params) => viewProblems(params.view) },
};

/** Starts the fake on 127.0.0.1 (a free port); closed when the current test finishes. */
export async function startFakeSlackApi(): Promise<FakeSlackApi> {
  const calls: RecordedCall[] = [];
  const responses: RecordedResponse[] = [];
  const uploads = new Map<string, Buffer>();
  const refused: { method: string; problems: string[] }[] = [];
  let refusalsExpected = false;
  const answers = new Map<string, MethodAnswer>();
  const waiters = new Set<() => void>();
  let sequence = 0;
  let base = '';
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const ts = () => `1700000000.${String(++sequence).padStart(6, '0')}`;

  const defaults: Record<string, MethodAnswer> = {
    'auth.test': () => ({ body: { ok: true, url: 'https://test.slack.com/', team: 'Test', user: 'ontology-ops', team_id: 'T0TEST', user_id: 'UBOT', bot_id: 'BBOT' } }),
    'chat.postMessage': (params) => ({ body: { ok: true, channel: params.channel, ts: ts(), message: { text: params.text, blocks: params.blocks } } }),
    'chat.update': (params) => ({ body: { ok: true, channel: params.channel, ts: params.ts, text: params.text } }),
    'chat.postEphemeral': () => ({ body: { ok: true, message_ts: ts() } }),
    'views.publish': (params) => ({ body: { ok: true, view: { id: `V${++sequence}`, type: 'home', blocks: (params.view as { blocks?: unknown })?.blocks } } }),
    'views.open': () => ({ body: { ok: true, view: { id: `V${++sequence}` } } }),
    'usergroups.users.list': () => ({ body: { ok: true, users: [] } }),
    'files.getUploadURLExternal': () => {
      const fileId = `F${++sequence}`;
      return { body: { ok: true, upload_url: `${base}upload/${fileId}`, file_id: fileId } };
    },
    'files.completeUploadExternal': (params) => ({
      body: { ok: true, files: ((params.files as { id: string; title?: string }[] | undefined) ?? []).map((file) => ({ id: file.id, title: file.title ?? '' })) },
    }),
  };

  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      const send = (status: number, payload: unknown, type = 'application/json') => {
        response.writeHead(status, { 'content-type': type });
        response.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      };
      if (path.startsWith('/response/')) {
        const posted = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
        const problems = posted.delete_original === true ? [] : messageProblems(posted);
        if (problems.length > 0) {
          refused.push({ method: 'response_url', problems });
          send(400, 'invalid_blocks', 'text/plain');
          notify();
          return;
        }
        responses.push({ url: `${base.replace(/api\/$/, '')}${path.slice(1)}`, body: posted });
        send(200, 'ok', 'text/plain');
        notify();
        return;
      }
      if (path.startsWith('/api/upload/')) {
        uploads.set(path.slice('/api/upload/'.length), body);
        send(200, `OK - ${body.length}`, 'text/plain');
        notify();
        return;
      }
      const method = path.replace(/^\/api\//, '');
      const authorization = request.headers.authorization;
      const call: RecordedCall = {
        method,
        params: parseParams(body.toString('utf8'), String(request.headers['content-type'] ?? '')),
        token: authorization?.startsWith('Bearer ') ? authorization.slice(7) : null,
      };
      calls.push(call);
      const checked = CHECKED_METHODS[method];
      const problems = checked ? checked.problems(call.params) : [];
      if (problems.length > 0) {
        refused.push({ method, problems });
        send(200, { ok: false, error: checked!.error, response_metadata: { messages: problems.map((problem) => `[ERROR] ${problem}`) } });
        notify();
        return;
      }
      const answer = answers.get(method) ?? defaults[method];
      const result = answer ? await answer(call.params, call) : { body: { ok: false, error: 'unknown_method' } };
      send(result.status ?? 200, result.body);
      notify();
    })().catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const root = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  base = `${root}api/`;
  let responseSequence = 0;

  const fake: FakeSlackApi = {
    url: base,
    calls,
    responses,
    uploads,
    refused,
    expectRefusals: () => {
      refusalsExpected = true;
    },
    responseUrl: () => `${root}response/${++responseSequence}`,
    answer: (method, answer) => {
      answers.set(method, answer);
    },
    callsOf: (method) => calls.filter((call) => call.method === method),
    waitFor: <T>(predicate: () => T | undefined | false, timeoutMs = 10_000) =>
      new Promise<T>((resolve, reject) => {
        const check = () => {
          const value = predicate();
          if (value === undefined || value === false) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(value);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`Timed out after ${timeoutMs} ms waiting for a Slack call; calls so far: ${calls.map((call) => call.method).join(', ') || 'none'}; responses: ${responses.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  onTestFinished(() => fake.close());
  onTestFinished(() => {
    if (refused.length > 0 && !refusalsExpected) {
      throw new Error(`The bot sent Block Kit Slack refuses:\n${refused.map((refusal) => `${refusal.method}: ${refusal.problems.join('; ')}`).join('\n')}`);
    }
  });
  return fake;
}
