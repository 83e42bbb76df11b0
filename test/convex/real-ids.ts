/**
 * Real Convex ids on the wire of a test deployment. convex-test names documents `<counter><table>`
 * (`00000000000000000000010000groups`), which no real deployment hands out: a backup of such data fails its own
 * verification (every `_id` must be a Convex id, as `npx convex import` requires), so a migration, whose first
 * step is that backup, cannot run against the bare harness. This wraps the harness's `fetch` so that every id
 * leaving the deployment is a real Convex id (a fixed table number per table, the counter as the internal id)
 * and every such id coming back is the harness's own again: the adapter sees exactly what a real deployment
 * would send, and convex-test keeps its own ids inside.
 */
import { encodeConvexId } from '../../src/ontology/ids.ts';
import schema from '../../convex/schema.ts';

/** The first table number handed out (a real deployment's user tables start at 10001). */
const FIRST_TABLE_NUMBER = 10_001;
const TABLES = Object.keys((schema as unknown as { tables: Record<string, unknown> }).tables);
const TABLE_NUMBERS = new Map(TABLES.map((table, index) => [table, FIRST_TABLE_NUMBER + index]));
/** convex-test's id: the counter padded with zeros, then the table name, 32 characters in all. */
const HARNESS_ID = /^(\d+)([A-Za-z][A-Za-z0-9_]*)$/;

/** The fetch of a deployment that speaks real ids, over the harness's `fetch`. */
export function withRealIds(inner: typeof fetch): typeof fetch {
  const toReal = new Map<string, string>();
  const toHarness = new Map<string, string>();

  const realOf = (id: string): string => {
    const known = toReal.get(id);
    if (known !== undefined) return known;
    const match = HARNESS_ID.exec(id);
    const tableNumber = match && id.length === 32 ? TABLE_NUMBERS.get(match[2]!) : undefined;
    if (tableNumber === undefined) return id;
    const internal = new Uint8Array(16);
    let counter = BigInt(match![1]!);
    for (let index = 15; index >= 0 && counter > 0n; index--) {
      internal[index] = Number(counter & 0xffn);
      counter >>= 8n;
    }
    const real = encodeConvexId(tableNumber, internal);
    toReal.set(id, real);
    toHarness.set(real, id);
    return real;
  };

  /** Maps every string in a JSON value (object keys left alone). */
  const mapStrings = (value: unknown, map: (text: string) => string): unknown => {
    if (typeof value === 'string') return map(value);
    if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]));
    return value;
  };

  return (async (input: string | URL | Request, init?: RequestInit) => {
    let request = init;
    if (typeof init?.body === 'string') {
      const body = JSON.parse(init.body) as { args?: unknown };
      request = { ...init, body: JSON.stringify({ ...body, args: mapStrings(body.args, (text) => toHarness.get(text) ?? text) }) };
    }
    const response = await inner(input, request);
    const text = await response.text();
    let answer: { value?: unknown } | null = null;
    try {
      answer = JSON.parse(text) as { value?: unknown };
    } catch {
      return new Response(text, { status: response.status, headers: response.headers });
    }
    const mapped = answer && 'value' in answer ? { ...answer, value: mapStrings(answer.value, realOf) } : answer;
    return new Response(JSON.stringify(mapped), { status: response.status, headers: response.headers });
  }) as typeof fetch;
}
