/**
 * The request endpoint refuses what Slack would never send, before Bolt sees it: a request whose timestamp is
 * more than 5 minutes away from now in either direction (Bolt refuses only old ones, so a captured request could
 * be replayed until its future timestamp came) or whose signature does not match is a 401; a signed body that is
 * not a slash command, an interaction payload (`payload=<JSON object with a type>`) or an Events API envelope (a
 * JSON object with a type) is a 400. Inside Bolt a `payload=null` would throw outside every handler and end the
 * process; here it is answered and logged in one line, and nothing runs.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { HTTPReceiver, verifySlackRequest, type Logger } from '@slack/bolt';

/** How far a request's timestamp may be from now, either way (Slack's own rule for replays). */
export const MAX_REQUEST_SKEW_SECONDS = 5 * 60;

/** The largest body the endpoint reads (Bolt's own limit). */
export const MAX_REQUEST_BODY_BYTES = 4 * 1024 * 1024;

/** The path Slack posts commands, interactions and events to. */
export const SLACK_EVENTS_PATH = '/slack/events';

/** Why a request's `X-Slack-Request-Timestamp` is refused, or null when it is within 5 minutes of `nowMs`. */
export function timestampProblem(header: string | string[] | undefined, nowMs: number): string | null {
  if (typeof header !== 'string' || !/^\d{1,12}$/.test(header.trim())) return 'no X-Slack-Request-Timestamp in seconds';
  const skew = Number(header) - Math.floor(nowMs / 1000);
  if (skew > MAX_REQUEST_SKEW_SECONDS) return `its timestamp is ${skew} s ahead of this clock (at most ${MAX_REQUEST_SKEW_SECONDS} s either way)`;
  if (-skew > MAX_REQUEST_SKEW_SECONDS) return `its timestamp is ${-skew} s old (at most ${MAX_REQUEST_SKEW_SECONDS} s either way)`;
  return null;
}

/** True for an object that carries a non-empty string `type`, as every interaction payload and event envelope does. */
function isTypedObject(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const { type } = value as { type?: unknown };
  return typeof type === 'string' && type !== '';
}

function parsedJson(text: string): { value: unknown } | null {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return null;
  }
}

/**
 * Why a body is not one Slack sends, or null when it is. `contentType` decides how it is read exactly as Bolt
 * decides it (form when it is `application/x-www-form-urlencoded`, JSON otherwise), so what passes here is what
 * Bolt then reads.
 */
export function payloadProblem(body: string, contentType: string | undefined): string | null {
  if (contentType === 'application/x-www-form-urlencoded') {
    const form = parseQuery(body);
    const { payload } = form;
    if (payload === undefined) {
      return typeof form.command === 'string' && form.command.startsWith('/') ? null : 'a form without a payload or a slash command';
    }
    if (typeof payload !== 'string') return 'the form has more than one payload';
    const parsed = parsedJson(payload);
    if (!parsed) return 'the payload is not JSON';
    return isTypedObject(parsed.value) ? null : 'the payload is not a JSON object with a type';
  }
  const parsed = parsedJson(body);
  if (!parsed) return 'the body is not JSON';
  return isTypedObject(parsed.value) ? null : 'the body is not a JSON object with a type';
}

/** What the guard needs. */
export interface RequestGuardOptions {
  signingSecret: string;
  /** The clock timestamps are checked against (Slack signs with real time). */
  now: () => number;
  /** One line per refused request, to the process log. */
  log: (line: string) => void;
}

/** Reads a request body, or resolves null when it is larger than the endpoint takes. */
async function readBody(request: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function answer(response: ServerResponse, status: number): void {
  if (response.headersSent) return;
  response.writeHead(status);
  response.end();
}

/**
 * Screens one request to the events path: resolves true when Bolt may handle it (its body is then buffered on the
 * request, where Bolt reads it), false when it was answered here.
 */
async function screen(request: IncomingMessage, response: ServerResponse, options: RequestGuardOptions): Promise<boolean> {
  const refuse = (status: number, why: string) => {
    options.log(`slack: refused a request to ${SLACK_EVENTS_PATH} (${status}): ${why}.`);
    answer(response, status);
    return false;
  };
  const body = await readBody(request);
  if (body === null) return refuse(413, `its body is larger than ${MAX_REQUEST_BODY_BYTES} bytes`);
  const text = body.toString('utf8');
  const contentType = request.headers['content-type'];
  // Slack's SSL check carries no signature; Bolt answers it and drops everything else in it.
  if (contentType === 'application/x-www-form-urlencoded' && parseQuery(text).ssl_check === '1') {
    Object.assign(request, { rawBody: body });
    return true;
  }
  const timestamp = request.headers['x-slack-request-timestamp'];
  const late = timestampProblem(timestamp, options.now());
  if (late) return refuse(401, late);
  const signature = request.headers['x-slack-signature'];
  try {
    if (typeof signature !== 'string') throw new Error('no signature');
    verifySlackRequest({
      signingSecret: options.signingSecret,
      body: text,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': Number(timestamp) },
      nowMilliseconds: options.now(),
    });
  } catch {
    return refuse(401, 'its signature does not match the signing secret');
  }
  const problem = payloadProblem(text, contentType);
  if (problem) return refuse(400, problem);
  Object.assign(request, { rawBody: body });
  return true;
}

/**
 * Bolt's HTTP receiver behind the guard: requests to the events path are screened (`screen`) before Bolt reads
 * them; anything else goes to Bolt as it is.
 */
export function guardedReceiver(options: RequestGuardOptions & { logger: Logger }): HTTPReceiver {
  const receiver = new HTTPReceiver({ signingSecret: options.signingSecret, endpoints: [SLACK_EVENTS_PATH], logger: options.logger, processBeforeResponse: false });
  const bolt: RequestListener = receiver.requestListener;
  receiver.requestListener = (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'POST' || path !== SLACK_EVENTS_PATH) return bolt(request, response);
    screen(request, response, options)
      .then((pass) => {
        if (pass) bolt(request, response);
      })
      .catch((error: unknown) => {
        options.log(`slack: could not handle a request to ${SLACK_EVENTS_PATH}: ${error instanceof Error ? error.message : String(error)}`);
        answer(response, 400);
      });
  };
  return receiver;
}
