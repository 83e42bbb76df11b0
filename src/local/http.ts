/**
 * The local server's plumbing: a route is a function that handles a request and returns true, or returns false
 * to let the next route try. Bodies are capped, errors answer as JSON with one line (never a stack), and the
 * built browser pages (dist/web/) are served read-only.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, userMessage } from '../errors.ts';

/** One request, its URL parsed. */
export interface LocalRequest {
  readonly raw: IncomingMessage;
  readonly method: string;
  readonly url: URL;
  /** The body (read on demand, at most `MAX_BODY_BYTES`). */
  body(): Promise<Buffer>;
}

/** Handles a request and resolves true, or resolves false when the route does not apply. */
export type Route = (request: LocalRequest, response: ServerResponse) => Promise<boolean> | boolean;

/** The largest request body the local server reads (file uploads included). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** An error with the HTTP status it answers with. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Reads a request body, refusing one larger than `limit` bytes. */
export async function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `The request body is larger than ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The URL of a request target, or a 400: only a path (`/…`, never a full URL, which would name another host) whose
 * `%` escapes all decode, so no route meets a path it cannot read.
 */
export function requestUrl(target: string): URL {
  if (!target.startsWith('/')) throw new HttpError(400, 'The request target must be a path starting with "/".');
  // Appended, not resolved: `//other/x` stays a path of this server.
  const text = `http://localhost${target}`;
  if (!URL.canParse(text)) throw new HttpError(400, 'The request target is not a valid path.');
  const url = new URL(text);
  try {
    decodeURIComponent(url.pathname);
  } catch {
    throw new HttpError(400, 'The path has a malformed % escape: write a percent sign as %25.');
  }
  return url;
}

/** Wraps a Node request; a 400 when its target is not a readable path (see `requestUrl`). */
export function localRequest(raw: IncomingMessage): LocalRequest {
  let body: Promise<Buffer> | null = null;
  return {
    raw,
    method: raw.method ?? 'GET',
    url: requestUrl(raw.url ?? '/'),
    body: () => (body ??= readBody(raw)),
  };
}

/** Answers with JSON. */
export function sendJson(response: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(text);
}

/** Answers with plain text. */
export function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  response.end(text);
}

/**
 * The JSON body of a request as an object; a body that is not a JSON object is a 400 naming the problem. The
 * request must say `Content-Type: application/json` (415 otherwise): another site's page cannot send that without
 * a CORS preflight, which this server never grants, so it cannot act in the local workspace in a visitor's name.
 */
export async function jsonBody(request: LocalRequest): Promise<Record<string, unknown>> {
  const type = request.raw.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'Send the request with Content-Type: application/json.');
  const text = (await request.body()).toString('utf8');
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The request body is not JSON: send a JSON object.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new HttpError(400, 'The request body must be a JSON object.');
  return value as Record<string, unknown>;
}

/** The status and one-line message an error answers with (a stack never leaves the process). */
export function errorAnswer(error: unknown): { status: number; message: string } {
  if (error instanceof HttpError) return { status: error.status, message: error.message };
  if (error instanceof InvalidArgumentError) return { status: 400, message: error.message };
  return { status: 500, message: userMessage(error) };
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

/**
 * Where the built browser pages are: `dist/web/`, beside `dist/src/` when this module runs compiled, under the
 * project root when it runs from the sources (tsx). Fails with what to run when they were never built.
 */
export function webRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', '..', 'web'), join(here, '..', '..', 'dist', 'web')];
  const built = candidates.find((folder) => existsSync(join(folder, 'workspace', 'main.js')));
  if (!built) throw new InvalidArgumentError(`The browser pages are not built (no ${candidates[1]}): run \`npm run build\`.`);
  return built;
}

/**
 * Serves the files of `folder` under the URL prefix `mount` (`/workspace/` → folder/index.html for the bare prefix).
 * Paths that climb out of the folder are refused.
 */
export function staticFiles(mount: string, folder: string): Route {
  const base = resolve(folder);
  return async (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const path = request.url.pathname;
    if (path === mount.replace(/\/$/, '') && mount.endsWith('/')) {
      // The pages load their scripts relative to the folder: `/dashboard` → `/dashboard/`.
      response.writeHead(301, { location: mount + request.url.search });
      response.end();
      return true;
    }
    if (!path.startsWith(mount)) return false;
    const relative = decodeURIComponent(path.slice(mount.length)) || 'index.html';
    const file = normalize(join(base, relative));
    if (file !== base && !file.startsWith(base + sep)) return false;
    if (!existsSync(file)) return false;
    const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
    const content = await readFile(file).catch(() => null);
    if (!content) return false;
    response.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
    response.end(request.method === 'HEAD' ? undefined : content);
    return true;
  };
}
