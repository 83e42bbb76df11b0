/**
 * File uploads the way `files.uploadV2` makes them: the bytes are POSTed to the upload URL
 * `files.getUploadURLExternal` handed out (`/upload/<id>`), and a shared file is served back at `/files/<id>`
 * (the page shows the weekly chart from there).
 */
import { HttpError, sendText, type Route } from '../local/http.ts';
import type { WorkspaceContext } from './context.ts';
import { mimetypeOf } from './web-api.ts';

/**
 * The file's bytes from an upload body: raw, or the file part of a `multipart/form-data` body (the official
 * client's `files.uploadV2` sends one); null when a multipart body has no file part.
 */
export function uploadedBytes(body: Buffer, contentType: string): Buffer | null {
  const boundary = /multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return body;
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      // The part's content ends with the CRLF that precedes the next delimiter.
      if (/filename=|name="file"/i.test(headers)) return part.subarray(headerEnd + 4, part.length - 2);
    }
    start = next;
  }
  return null;
}

/** The upload URLs' route: stores the bytes of a file announced with `files.getUploadURLExternal`. */
export function uploadRoute(context: WorkspaceContext): Route {
  return async (request, response) => {
    const match = /^\/upload\/([A-Z0-9]+)$/.exec(request.url.pathname);
    if (!match || request.method !== 'POST') return false;
    const file = context.state.files.get(match[1]!);
    if (!file) throw new HttpError(404, `No upload was started for file ${match[1]}: call files.getUploadURLExternal first.`);
    const content = uploadedBytes(await request.body(), String(request.raw.headers['content-type'] ?? ''));
    if (!content || content.length === 0) throw new HttpError(400, 'The upload is empty: send the file bytes as the body.');
    file.content = content;
    file.length = content.length;
    sendText(response, 200, `OK - ${content.length}`);
    return true;
  };
}

/** `/files/<id>`: the bytes of an uploaded file, with its media type. */
export function filesRoute(context: WorkspaceContext): Route {
  return (request, response) => {
    const match = /^\/files\/([A-Z0-9]+)$/.exec(request.url.pathname);
    if (!match || (request.method !== 'GET' && request.method !== 'HEAD')) return false;
    const file = context.state.files.get(match[1]!);
    if (!file?.content) throw new HttpError(404, `No file ${match[1]} here (never uploaded, or dropped as one of the oldest).`);
    response.writeHead(200, {
      'content-type': mimetypeOf(file.name),
      'content-length': file.content.length,
      'cache-control': 'private, max-age=3600',
    });
    response.end(request.method === 'HEAD' ? undefined : file.content);
    return true;
  };
}
