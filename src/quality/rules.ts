/**
 * The record rules behind the "malformed properties" and "invalid metadata" categories, as data: one zod schema
 * per entity type, one for payment-event metadata. Pure: the SQLite scan and the Convex page functions both
 * call these, so a record is judged the same way wherever it lives.
 *
 * Inputs may come from a decoded Convex document (int64 as bigint) or from plain `JSON.parse` of the uniform
 * encoding (int64 as number, NaN/±Infinity/-0 as `{"$float": base64}`); both are accepted.
 */
import { z } from 'zod';
import { decodeFloatObject, isNumeric, toNumber } from './numbers.js';

/** A string that is not empty. */
const nonEmptyString = z.string().min(1);

/** A string that is not empty after trimming white space. */
const nonBlankString = z.string().trim().min(1);

/** A finite number ≥ 0, of either Convex number type (float64 or int64). */
const nonNegativeFiniteNumber = z.union([z.number().min(0), z.bigint().min(0n)]);

/** A value of either Convex number type (float64, including NaN and ±Infinity, or int64). */
const numeric = z.custom<number | bigint>((value) => isNumeric(value));

/**
 * Property rules per entity type. An entity of a listed type is malformed when its `properties` fail the
 * schema; extra properties are fine (zod objects ignore unknown keys); types not listed are never malformed.
 * These five rules are fixed by the specification; more types may be added.
 */
export const PROPERTY_RULES: Readonly<Record<string, z.ZodObject>> = {
  creator: z.object({ role: nonBlankString }),
  organization: z.object({ plan: nonEmptyString }),
  blog_post: z.object({ title: nonEmptyString, content: nonEmptyString }),
  course: z.object({ title: nonEmptyString, description: nonEmptyString }),
  product: z.object({ price: nonNegativeFiniteNumber, currency: z.string().regex(/^[A-Z]{3}$/) }),
};

// A Map, so entity types such as "constructor" never hit Object.prototype.
const rulesByType = new Map<string, { schema: z.ZodObject; fields: readonly string[] }>(
  Object.entries(PROPERTY_RULES).map(([type, schema]) => [type, { schema, fields: Object.keys(schema.shape) }]),
);

/** Entity types that have a property rule (the only entities whose properties need reading). */
export const RULED_ENTITY_TYPES: readonly string[] = [...rulesByType.keys()];

/** The event type whose metadata is checked. */
export const PAYMENT_EVENT_TYPE = 'payment_event';

/** The rule for payment-event metadata: a known protocol, a known status and a numeric amount. */
export const PAYMENT_METADATA_RULE = z.object({
  protocol: z.enum(['x402', 'acp', 'ap2']),
  status: z.enum(['requested', 'verified', 'processed']),
  amount: numeric,
});
const PAYMENT_METADATA_FIELDS = Object.keys(PAYMENT_METADATA_RULE.shape);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof ArrayBuffer);
}

/**
 * The fields a rule reads, picked from an object (anything else counts as `{}`), with `$float` objects decoded.
 * Only those fields: the rules ignore extra properties, and copying whole property bags costs more than the
 * check itself on large stores.
 */
function ruleFields(value: unknown, names: readonly string[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (!isPlainObject(value)) return fields;
  for (const name of names) {
    if (Object.hasOwn(value, name)) fields[name] = decodeFloatObject(value[name]);
  }
  return fields;
}

/** The top-level field names a failed parse complains about, sorted and deduplicated. */
function failingFields(result: { success: boolean; error?: z.ZodError }): string[] {
  if (result.success || !result.error) return [];
  const names = new Set<string>();
  for (const issue of result.error.issues) names.add(issue.path.length > 0 ? String(issue.path[0]) : '(value)');
  return [...names].sort();
}

/**
 * The property names an entity breaks under its type's rule (empty when it is fine or its type has no rule).
 * `properties` that are not an object count as `{}`. Returns names only, never values.
 */
export function malformedPropertyFields(entityType: unknown, properties: unknown): string[] {
  if (typeof entityType !== 'string') return [];
  const rule = rulesByType.get(entityType);
  if (!rule) return [];
  return failingFields(rule.schema.safeParse(ruleFields(properties, rule.fields)));
}

/**
 * The metadata fields a payment event gets wrong (`protocol`, `status`, `amount`), empty when it is valid.
 * Metadata that is missing or not an object counts as `{}`.
 */
export function paymentMetadataProblems(metadata: unknown): string[] {
  return failingFields(PAYMENT_METADATA_RULE.safeParse(ruleFields(metadata, PAYMENT_METADATA_FIELDS)));
}

/** True when a connection's validity window ends before it starts: both numeric and `validTo < validFrom`. */
export function isValidityWindowInverted(validFrom: unknown, validTo: unknown): boolean {
  const from = toNumber(decodeFloatObject(validFrom));
  const to = toNumber(decodeFloatObject(validTo));
  return from !== undefined && to !== undefined && to < from;
}

/** True when an entity counts as v1: a numeric `schemaVersion` ≥ 1. */
export function isV1SchemaVersion(schemaVersion: unknown): boolean {
  const version = toNumber(decodeFloatObject(schemaVersion));
  return version !== undefined && version >= 1;
}
