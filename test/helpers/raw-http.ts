/**
 * One HTTP request with exactly the request line and headers a test names, as a browser tricked by another site
 * could send them: any `Host` (a DNS-rebinding page names its own domain), any `Origin`, any raw path (fetch would
 * normalize a malformed escape or refuse a Host header). `fetch` stays the tool for ordinary requests.
 */
import { request } from 'node:http';

/** The answer: status, headers, and the body as text. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends `method path` to the server at `baseUrl` (only its port and address are used) with `headers` and `body`. */
export function rawRequest(
  baseUrl: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: hostname.replace(/^\[|\]$/g, ''), port, method: options.method ?? 'GET', path: options.path, headers: options.headers ?? {} },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8') }));
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}
