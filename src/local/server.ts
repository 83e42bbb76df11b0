/**
 * The local server `npm start` runs without Slack credentials: one HTTP server (localhost:3000 by default) that
 * hosts the Slack-compatible workspace (its page and the Web API subset the bot calls) and the dashboard. Routes
 * are tried in order; the first that handles a request answers it. Errors answer as JSON with one line.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { InvalidArgumentError } from '../errors.ts';
import { errorAnswer, HttpError, localRequest, sendJson, type Route } from './http.ts';
import { foreignRequest, servedHosts } from './same-origin.ts';

/** Where and what the local server serves. */
export interface LocalServerOptions {
  /** Port (0 picks a free one). */
  port: number;
  /** Interface to bind (default 127.0.0.1: only this machine can reach it). */
  host?: string;
  /** Routes to start with; more can be added with `mount` (routes whose URLs depend on the port). */
  routes?: readonly Route[];
  /** Where a failed request is reported (the answer carries one line only). */
  log?: (line: string) => void;
}

/** A running local server. */
export interface LocalServer {
  /** The port it listens on. */
  readonly port: number;
  /** The base URL to print and link to, e.g. `http://localhost:3000/`. */
  readonly url: string;
  /** The base URL the process itself reaches it at (the bound address), e.g. `http://127.0.0.1:3000/`. */
  readonly internalUrl: string;
  /** Adds routes after the ones already there. */
  mount(...routes: Route[]): void;
  /** Stops accepting requests, ends open streams, and resolves once closed. */
  close(): Promise<void>;
}

/** The addresses of this machine's interfaces (what another machine reaches a server bound to all of them at). */
function machineAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((entries) => (entries ?? []).map((entry) => entry.address));
}

/**
 * Starts the local server; it answers only requests addressed to one of its own names (see `same-origin.ts`), 403
 * otherwise. Rejects with a clear line when the port is taken.
 */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const host = options.host ?? '127.0.0.1';
  const routes: Route[] = [...(options.routes ?? [])];
  // Known once listening, before the first request can arrive.
  let served: readonly string[] = [];
  const server: Server = createServer((raw, response) => {
    void (async () => {
      const refusal = foreignRequest(raw.headers, served);
      if (refusal) throw new HttpError(403, refusal);
      const request = localRequest(raw);
      for (const route of routes) {
        if (await route(request, response)) return;
      }
      sendJson(response, 404, { ok: false, error: `Nothing at ${request.method} ${request.url.pathname}.` });
    })().catch((error: unknown) => {
      const { status, message } = errorAnswer(error);
      if (status >= 500) options.log?.(`local server: ${raw.method} ${raw.url}: ${message}`);
      if (response.headersSent) response.end();
      else sendJson(response, status, { ok: false, error: message });
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new InvalidArgumentError(`Port ${options.port} on ${host} is in use: stop what listens there, or set PORT to another port.`)
          : error,
      );
    });
    server.listen(options.port, host, () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  served = servedHosts(host, port, machineAddresses());
  const shownHost = host === '127.0.0.1' || host === '::1' || host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  const internalHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    port,
    url: `http://${shownHost}:${port}/`,
    internalUrl: `http://${internalHost}:${port}/`,
    mount: (...more) => {
      routes.push(...more);
    },
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
