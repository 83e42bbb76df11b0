/// <reference types="vite/client" />
/**
 * A Convex deployment for tests: `convex-test` running the functions in `convex/` against the real schema, with
 * Convex's per-transaction limits enforced, and a `fetch` that answers `ConvexHttpClient` requests
 * (`POST /api/query|mutation|action`, body `{path, args: [convexJson], format: 'convex_encoded_json'}`) the way a
 * dev deployment does: 200 `{status: 'success', value, logLines}`; 560 `{status: 'error', errorMessage,
 * errorData?, logLines}` when the function throws (errorData for a `ConvexError`); 401 for a wrong deploy key;
 * internal functions only with the deploy key. Values cross as `convexToJson` JSON, so int64 (bigint) and float64
 * (number) stay apart as they do over the wire.
 *
 * Test files using it need `// @vitest-environment edge-runtime` (Convex's runtime is not Node).
 */
import { convexTest, type TestConvex } from 'convex-test';
import { makeFunctionReference, type GenericSchema, type SchemaDefinition } from 'convex/server';
import { ConvexError, convexToJson, jsonToConvex, type Value } from 'convex/values';
import schema from '../../convex/schema.ts';

/** The function modules of `convex/`, as convex-test loads them. */
export const convexModules = import.meta.glob('../../convex/**/*.*s');

/** The deployment URL the harness answers for. */
export const HARNESS_URL = 'https://harness-test-123.convex.cloud';
/** The deploy key the harness accepts (admin auth). */
export const HARNESS_DEPLOY_KEY = 'dev:harness-test-123|harness-secret';

/** Limits a harness enforces: Convex's own by default, or tighter ones for a test. */
export type HarnessLimits = NonNullable<Parameters<typeof convexTest>[0] extends infer O ? (O extends { transactionLimits?: infer L } ? L : never) : never>;

/** What one function call used of each per-transaction limit (convex-test's count, as `getTransactionMetrics` gives it). */
export interface CallUsage {
  path: string;
  bytesRead: number;
  documentsRead: number;
  databaseQueries: number;
  documentsWritten: number;
  bytesWritten: number;
}

/** A failure the harness answers instead of running the next requests (to exercise retries). */
export type InjectedFailure = { kind: 'http'; status: number; body?: string } | { kind: 'network' };

/** A test deployment. */
export interface ConvexHarness {
  /** The convex-test instance: seed and inspect with `t.run`, call functions directly. */
  t: TestConvex<typeof schema>;
  url: string;
  deployKey: string;
  /** Hands a `ConvexHttpClient` request to the deployment. */
  fetch: typeof fetch;
  /** Every request answered so far: endpoint (`query`, `mutation`, `action`) and function path. */
  requests: { endpoint: string; path: string; ok: boolean }[];
  /** Answers the next requests with these failures, one each, before running functions again. */
  failNext(...failures: InjectedFailure[]): void;
  /** With `meter`: what each query and mutation call used, in call order. */
  usage: CallUsage[];
}

type RegisteredFunction = { isQuery?: boolean; isMutation?: boolean; isAction?: boolean; isInternal?: boolean; isPublic?: boolean };

/**
 * Another app's functions and schema to deploy instead of this repository's `convex/` (a host app that installs
 * the bot): module loaders keyed by path as `import.meta.glob` gives them, `_generated/` included, as convex-test
 * takes them.
 */
export interface HarnessApp {
  schema: SchemaDefinition<GenericSchema, boolean>;
  modules: Record<string, () => Promise<unknown>>;
}

async function findFunction(modules: Record<string, () => Promise<unknown>>, path: string): Promise<RegisteredFunction | undefined> {
  const [modulePath, exportName = 'default'] = path.split(':');
  // The folder holding `_generated/` is the functions root, as convex-test finds it.
  const root = Object.keys(modules).find((key) => key.includes('_generated'))?.split('_generated')[0] ?? '';
  const load = modules[`${root}${modulePath}.ts`] ?? modules[`${root}${modulePath}.js`];
  if (load === undefined) return undefined;
  const module = (await load()) as Record<string, unknown>;
  const found = module[exportName] as RegisteredFunction | undefined;
  return found !== undefined && (found.isQuery || found.isMutation || found.isAction) ? found : undefined;
}

function requestId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(8)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** A new, empty test deployment (Convex's transaction limits enforced unless `limits` says otherwise). */
/**
 * Runs a query or mutation inside a `t.run` transaction and reads what it used there (`1.0/getTransactionMetrics`,
 * the syscall behind `ctx.meta.getTransactionMetrics`): the nested call's usage folds into the enclosing one.
 */
async function metered(t: TestConvex<typeof schema>, kind: 'query' | 'mutation', path: string, args: Record<string, Value>): Promise<{ value: Value; usage: CallUsage }> {
  return t.run(async (ctx) => {
    const run = ctx as unknown as { runQuery: (ref: unknown, args: unknown) => Promise<Value>; runMutation: (ref: unknown, args: unknown) => Promise<Value> };
    const value = kind === 'query' ? await run.runQuery(makeFunctionReference<'query'>(path), args) : await run.runMutation(makeFunctionReference<'mutation'>(path), args);
    const syscalls = (globalThis as unknown as { Convex: { asyncSyscall: (op: string, args: string) => Promise<string> } }).Convex;
    const metrics = JSON.parse(await syscalls.asyncSyscall('1.0/getTransactionMetrics', '{}')) as Record<string, { used: number }>;
    const used = (key: string) => metrics[key]?.used ?? 0;
    return {
      value: value === undefined ? null : value,
      usage: { path, bytesRead: used('bytesRead'), documentsRead: used('documentsRead'), databaseQueries: used('databaseQueries'), documentsWritten: used('documentsWritten'), bytesWritten: used('bytesWritten') },
    } as never;
  }) as Promise<{ value: Value; usage: CallUsage }>;
}

/**
 * A new, empty test deployment (Convex's transaction limits enforced unless `limits` says otherwise) of this
 * repository's `convex/`, or of `app`; with `meter`, every query and mutation call's use of each limit is recorded
 * in `usage`.
 */
export function createConvexHarness(options: { limits?: HarnessLimits; meter?: boolean; app?: HarnessApp } = {}): ConvexHarness {
  const modules = options.app?.modules ?? convexModules;
  // A host app's schema types differ from this repository's; the harness only hands requests to its functions.
  const t = convexTest({ schema: (options.app?.schema ?? schema) as typeof schema, modules, transactionLimits: options.limits ?? true });
  const failures: InjectedFailure[] = [];
  const requests: ConvexHarness['requests'] = [];
  const usage: CallUsage[] = [];

  const handle = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const failure = failures.shift();
    if (failure?.kind === 'network') throw new TypeError('fetch failed');
    if (failure?.kind === 'http') return new Response(failure.body ?? 'Service Unavailable', { status: failure.status });
    if (url.origin !== new URL(HARNESS_URL).origin) throw new TypeError(`fetch failed: getaddrinfo ENOTFOUND ${url.hostname}`);
    const endpoint = /^\/api\/(query|mutation|action)$/.exec(url.pathname)?.[1];
    if (init?.method !== 'POST' || endpoint === undefined) return new Response('No such route', { status: 404 });
    const headers = new Headers(init.headers);
    const authorization = headers.get('Authorization');
    if (authorization !== null && authorization.startsWith('Convex ') && authorization.slice('Convex '.length) !== HARNESS_DEPLOY_KEY) {
      return json(401, { code: 'BadAdminKey', message: 'The provided admin key was invalid for this instance' });
    }
    const admin = authorization !== null && authorization.startsWith('Convex ');
    const body = JSON.parse(String(init.body)) as { path: string; args: unknown[]; format?: string };
    if (body.format !== 'convex_encoded_json' || !Array.isArray(body.args)) return json(400, { code: 'BadJsonBody', message: 'Expected format convex_encoded_json and args: [object]' });
    const id = requestId();
    const fail = (message: string, data?: Value): Response => {
      requests.push({ endpoint, path: body.path, ok: false });
      return json(560, { status: 'error', errorMessage: message, ...(data === undefined ? {} : { errorData: convexToJson(data) }), logLines: [] });
    };
    const fn = await findFunction(modules, body.path);
    if (fn === undefined || (fn.isInternal && !admin)) {
      return fail(`[Request ID: ${id}] Server Error\nCould not find public function for '${body.path}'. Did you forget to run \`npx convex dev\` or \`npx convex deploy\`?`);
    }
    const kind = fn.isQuery ? 'query' : fn.isMutation ? 'mutation' : 'action';
    if (kind !== endpoint) {
      return fail(`[Request ID: ${id}] Server Error\nTrying to execute ${body.path} as ${endpoint[0]!.toUpperCase()}${endpoint.slice(1)}, but it is defined as ${kind[0]!.toUpperCase()}${kind.slice(1)}.`);
    }
    const args = jsonToConvex(body.args[0] as never) as Record<string, Value>;
    try {
      if (options.meter && kind !== 'action') {
        const result = await metered(t, kind, body.path, args);
        usage.push(result.usage);
        requests.push({ endpoint, path: body.path, ok: true });
        return json(200, { status: 'success', value: convexToJson(result.value), logLines: [] });
      }
      const value = (await (kind === 'query'
        ? t.query(makeFunctionReference<'query'>(body.path), args)
        : kind === 'mutation'
          ? t.mutation(makeFunctionReference<'mutation'>(body.path), args)
          : t.action(makeFunctionReference<'action'>(body.path), args))) as Value;
      requests.push({ endpoint, path: body.path, ok: true });
      return json(200, { status: 'success', value: convexToJson(value === undefined ? null : value), logLines: [] });
    } catch (error) {
      if (error instanceof ConvexError) return fail(typeof error.data === 'string' ? error.data : error.message, error.data as Value);
      const message = error instanceof Error ? `${error.name === 'Error' ? 'Error' : error.name}: ${error.message}` : String(error);
      return fail(`[Request ID: ${id}] Server Error\nUncaught ${message}`);
    }
  };

  return {
    t,
    url: HARNESS_URL,
    deployKey: HARNESS_DEPLOY_KEY,
    fetch: handle as typeof fetch,
    requests,
    failNext: (...next) => failures.push(...next),
    usage,
  };
}
