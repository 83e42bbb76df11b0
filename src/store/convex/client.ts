/**
 * The one way the Convex adapter talks to a deployment: a `ConvexHttpClient` authenticated with the deploy key
 * (admin auth, which reaches the internal functions in `convex/`), with
 * - retries of transient failures (network errors, HTTP 429/5xx before a function ran) with exponential backoff
 *   and jitter; a mutation is retried only when the deployment surely did not run it (HTTP 429/503, or a
 *   connection that was never made), so a retry never applies a write twice;
 * - bounded concurrency (at most `maxConcurrency` requests in flight, default 4, shared by every port);
 * - `shrinking`: a page or batch call that fails on a Convex transaction limit ("Too many reads", "Too many
 *   writes", "documents read", …) is retried with half the page size instead of failing, down to 1 (a failed
 *   call wrote nothing: Convex rolls the whole transaction back).
 */
import { ConvexHttpClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import { ConvexError, type Value } from 'convex/values';
import { ErrorCode, InvalidArgumentError, OpsError } from '../../errors.ts';
import { deployedFunctionPath, isFunctionsModulePath } from '../function-paths.ts';

/** How to reach a deployment. */
export interface ConvexConnection {
  /** Deployment URL, e.g. `https://happy-otter-123.convex.cloud`. */
  url: string;
  /** Deploy key (`prod:…|…` or `dev:…|…`): admin auth, needed for the internal functions. */
  deployKey: string;
  /** A fetch to use instead of the global one (tests hand requests to a local deployment). */
  fetch?: typeof fetch;
  /**
   * The module path under which the host app re-exports the bot's functions (`ontologyOps` for
   * `convex/ontologyOps.ts`, `CONVEX_FUNCTIONS_MODULE`): `documents:get` is then called as
   * `ontologyOps:documents_get`. Null or absent: each function sits in its own module, as in this repository's
   * `convex/` folder (`documents:get`).
   */
  functionsModule?: string | null;
}

/** Tuning of `ConvexCaller`. */
export interface ConvexCallerOptions {
  /**
   * Requests in flight at most (default 4). The check port scans that many tables side by side, so a full check
   * keeps up to this many pages in flight.
   */
  maxConcurrency?: number;
  /** Retries of a transient failure (default 4). */
  retries?: number;
  /** First backoff delay in ms, doubled per retry, with jitter (default 200). */
  baseDelayMs?: number;
  /** Waits between retries (tests pass a fake). */
  sleep?: (ms: number) => Promise<void>;
}

/** Requests in flight at most unless `ConvexCallerOptions.maxConcurrency` says otherwise. */
export const DEFAULT_MAX_CONCURRENCY = 4;

/** A failure the deployment answered before any function ran, or a request that never reached it. */
class TransientTransportError extends Error {
  constructor(
    message: string,
    /** True when the deployment surely did not run the function (safe to retry a mutation). */
    readonly notExecuted: boolean,
  ) {
    super(message);
    this.name = 'TransientTransportError';
  }
}

/**
 * Convex's per-transaction limit errors, as a deployment words them ("Too many reads / writes / bytes read /
 * documents read in a single function execution", "Too many index ranges read", "Scanned too many documents")
 * and as convex-test does ("Read too much data", "Wrote too much data", "Wrote too many documents").
 */
const LIMIT_PATTERNS = [
  /too many (reads|writes|index ranges|documents|bytes)/i,
  /documents read/i,
  /scanned too many documents/i,
  /read too much data/i,
  /wrote too (much|many)/i,
  /function execution timed out/i,
  /exceeded .*limit/i,
];

/** True when an error is Convex aborting a function on a per-transaction limit. */
export function isLimitError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return LIMIT_PATTERNS.some((pattern) => pattern.test(message));
}

/** The `ConvexError` data of a function's deliberate failure (`{ code, message }`), or null. */
export function convexErrorData(error: unknown): { code: string; message: string } | null {
  if (!(error instanceof ConvexError)) return null;
  const data = error.data as { code?: unknown; message?: unknown } | undefined;
  return typeof data?.code === 'string' ? { code: data.code, message: typeof data.message === 'string' ? data.message : String(error.message) } : null;
}

/** A counting semaphore: `run` waits for a free slot. */
class Slots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

function validateUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidArgumentError(`The Convex URL "${url}" is not a URL: pass the deployment URL, e.g. https://happy-otter-123.convex.cloud.`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InvalidArgumentError(`The Convex URL "${url}" must start with https:// (or http:// for a local deployment).`);
  }
  return url.replace(/\/+$/, '');
}

/** Calls the functions of one deployment (see the module comment for retries, concurrency and shrinking). */
export class ConvexCaller {
  readonly url: string;
  /** Requests in flight at most: the one bound every port of this deployment shares. */
  readonly maxConcurrency: number;
  /** The host module the functions are re-exported from, or null when each sits in its own module. */
  readonly functionsModule: string | null;
  private readonly client: ConvexHttpClient;
  private readonly slots: Slots;
  private readonly retries: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(connection: ConvexConnection, options: ConvexCallerOptions = {}) {
    this.url = validateUrl(connection.url);
    if (connection.deployKey.trim() === '') {
      throw new InvalidArgumentError('The Convex deploy key is empty: set CONVEX_DEPLOY_KEY to a deploy key of the deployment (Dashboard → Settings → Deploy keys).');
    }
    this.functionsModule = connection.functionsModule ?? null;
    if (this.functionsModule !== null && !isFunctionsModulePath(this.functionsModule)) {
      throw new InvalidArgumentError(
        `The Convex functions module "${this.functionsModule}" is not a module path: set CONVEX_FUNCTIONS_MODULE to the path of the file that re-exports the bot's functions in the app's convex/ folder, without extension (e.g. ontologyOps for convex/ontologyOps.ts).`,
      );
    }
    const baseFetch = connection.fetch ?? globalThis.fetch;
    this.client = new ConvexHttpClient(this.url, { fetch: transportFetch(baseFetch), logger: false, skipConvexDeploymentUrlCheck: true });
    (this.client as unknown as { setAdminAuth(token: string): void }).setAdminAuth(connection.deployKey);
    this.maxConcurrency = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    if (!Number.isSafeInteger(this.maxConcurrency) || this.maxConcurrency < 1) {
      throw new InvalidArgumentError(`maxConcurrency (requests in flight to the Convex deployment) must be a whole number ≥ 1, got ${this.maxConcurrency}.`);
    }
    this.slots = new Slots(this.maxConcurrency);
    this.retries = options.retries ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Runs an (internal) query `module:function` (as named in `convex/`), wherever the deployment has it. */
  query<T>(path: string, args: Record<string, Value>): Promise<T> {
    const deployed = deployedFunctionPath(path, this.functionsModule);
    return this.call(deployed, true, () => this.client.query(makeFunctionReference<'query'>(deployed), args) as Promise<T>);
  }

  /** Runs an (internal) mutation `module:function` (as named in `convex/`), wherever the deployment has it. */
  mutation<T>(path: string, args: Record<string, Value>): Promise<T> {
    const deployed = deployedFunctionPath(path, this.functionsModule);
    return this.call(deployed, false, () => this.client.mutation(makeFunctionReference<'mutation'>(deployed), args, { skipQueue: true }) as Promise<T>);
  }

  /**
   * Runs a page call with `size`, halving it on a limit error until it succeeds (or fails at size 1). Returns
   * the answer and the size that worked, so a caller can keep using it.
   */
  async shrinking<T>(size: number, call: (size: number) => Promise<T>): Promise<{ value: T; size: number }> {
    let current = size;
    for (;;) {
      try {
        return { value: await call(current), size: current };
      } catch (error) {
        if (!isLimitError(error) || current <= 1) throw error;
        current = Math.max(1, Math.floor(current / 2));
      }
    }
  }

  private async call<T>(path: string, idempotent: boolean, run: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.slots.run(run);
      } catch (error) {
        const retryable = error instanceof TransientTransportError && (idempotent || error.notExecuted);
        if (!retryable || attempt >= this.retries) throw this.explain(path, error);
        const delay = this.baseDelayMs * 2 ** attempt;
        await this.sleep(delay / 2 + Math.random() * (delay / 2));
      }
    }
  }

  /** Errors the operator can act on name the deployment and what to do; function errors pass through. */
  private explain(path: string, error: unknown): unknown {
    if (error instanceof TransientTransportError) {
      return new OpsError(ErrorCode.StoreUnavailable, `The Convex deployment ${this.url} did not answer ${path} (${error.message}); check the URL and the network, then try again.`, {
        cause: error,
      });
    }
    const message = error instanceof Error ? error.message : String(error);
    if (/BadAdminKey|BadDeployKey|invalid for this instance|Unauthorized/i.test(message)) {
      return new OpsError(ErrorCode.Forbidden, `The Convex deployment ${this.url} refused the deploy key: set CONVEX_DEPLOY_KEY to a deploy key of this deployment.`, { cause: error });
    }
    if (/Could not find public function/.test(message)) {
      const where =
        this.functionsModule === null
          ? "deploy this version's convex/ folder (npx convex deploy)"
          : `install this version of ontology-ops in the app and deploy it (npx convex deploy), with its functions re-exported from convex/${this.functionsModule}.ts (CONVEX_FUNCTIONS_MODULE)`;
      return new OpsError(ErrorCode.StoreUnavailable, `The Convex deployment ${this.url} has no function ${path}: ${where}.`, { cause: error });
    }
    return error;
  }
}

const TRANSIENT_STATUSES = new Set([429, 500, 502, 503, 504]);
/** Statuses the deployment answers before running anything (overloaded, rate limited). */
const NOT_EXECUTED_STATUSES = new Set([429, 503]);
/** Network error codes of a connection that was never made. */
const NOT_CONNECTED = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|getaddrinfo/;

/** Wraps fetch so transport failures become `TransientTransportError`s the retry loop recognises. */
function transportFetch(base: typeof fetch): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    let response: Response;
    try {
      response = await base(input, init);
    } catch (error) {
      const detail = error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}` : String(error);
      throw new TransientTransportError(detail, NOT_CONNECTED.test(detail));
    }
    if (TRANSIENT_STATUSES.has(response.status)) {
      throw new TransientTransportError(`HTTP ${response.status}`, NOT_EXECUTED_STATUSES.has(response.status));
    }
    return response;
  }) as typeof fetch;
}
