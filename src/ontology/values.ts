/**
 * Convex values as this project holds them in memory, and their JSON encodings.
 *
 * A Convex value keeps the difference between float64 (JS `number`) and int64 (JS `bigint`), so a
 * document read from a snapshot and written back keeps its number types. Two JSON encodings exist:
 * - "uniform" (current exports, and what we write): a float64 always carries a decimal point or an
 *   exponent (`1.0`, `2.5e-7`), a bare integer is an int64, `{"$float": base64}` holds the float64 values
 *   JSON cannot (NaN, ±Infinity, -0) and `{"$bytes": base64}` holds bytes.
 * - "legacy" (older exports): every plain JSON number is a float64, `{"$integer": base64}` holds an int64
 *   (8 bytes, little-endian), `{"$float": base64}` and `{"$bytes": base64}` as above.
 */
import { parse as parseLossless } from 'lossless-json';

/** A Convex value: null, boolean, float64 (number), int64 (bigint), string, bytes, array or object. */
export type ConvexValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | ArrayBuffer
  | ConvexValue[]
  | { [field: string]: ConvexValue };

/** A document: `_id`, `_creationTime` and any other fields. */
export type ConvexDocument = { _id: string; _creationTime: number } & { [field: string]: ConvexValue };

/** Which JSON encoding a snapshot table uses. */
export type ValueEncoding = 'uniform' | 'legacy';

/** Thrown when a JSON text is not a valid encoding of a Convex value; `path` names the field. */
export class ValueEncodingError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'ValueEncodingError';
  }
}

const INTEGER_LITERAL = /^-?\d+$/;

function decodeBase64(text: unknown, path: string): Buffer {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new ValueEncodingError('expected a base64 string', path);
  }
  return Buffer.from(text, 'base64');
}

function float64FromBase64(text: unknown, path: string): number {
  const bytes = decodeBase64(text, path);
  if (bytes.length !== 8) throw new ValueEncodingError('$float must hold 8 bytes', path);
  return bytes.readDoubleLE(0);
}

function int64FromBase64(text: unknown, path: string): bigint {
  const bytes = decodeBase64(text, path);
  if (bytes.length !== 8) throw new ValueEncodingError('$integer must hold 8 bytes', path);
  return bytes.readBigInt64LE(0);
}

function float64ToBase64(value: number): string {
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleLE(value, 0);
  return bytes.toString('base64');
}

/** Turns a parsed JSON tree whose numbers are already typed into Convex values (special objects decoded). */
function decodeSpecial(node: unknown, encoding: ValueEncoding, path: string): ConvexValue {
  if (node === null || typeof node === 'boolean' || typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'bigint') return node;
  if (Array.isArray(node)) return node.map((item, index) => decodeSpecial(item, encoding, `${path}[${index}]`));
  if (typeof node === 'object') {
    const record = node as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 1) {
      const key = keys[0]!;
      if (key === '$bytes') return toArrayBuffer(decodeBase64(record.$bytes, path));
      if (key === '$float') return float64FromBase64(record.$float, path);
      if (key === '$integer') {
        if (encoding === 'uniform') throw new ValueEncodingError('$integer is not part of the uniform encoding', path);
        return int64FromBase64(record.$integer, path);
      }
    }
    const out: Record<string, ConvexValue> = {};
    for (const key of keys) {
      if (key.startsWith('$')) throw new ValueEncodingError(`field names may not start with "$" (${key})`, path);
      out[key] = decodeSpecial(record[key], encoding, path ? `${path}.${key}` : key);
    }
    return out;
  }
  throw new ValueEncodingError(`unsupported JSON value of type ${typeof node}`, path);
}

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Parses one JSON text in the given encoding into a Convex value, keeping int64 apart from float64. */
export function parseConvexJson(text: string, encoding: ValueEncoding): ConvexValue {
  const parseNumber =
    encoding === 'uniform'
      ? (literal: string) => (INTEGER_LITERAL.test(literal) ? BigInt(literal) : Number(literal))
      : (literal: string) => Number(literal);
  const tree = parseLossless(text, undefined, parseNumber);
  return decodeSpecial(tree, encoding, '');
}

/** Parses a document line (uniform or legacy) and checks `_id` and `_creationTime`. */
export function parseDocument(text: string, encoding: ValueEncoding): ConvexDocument {
  const value = parseConvexJson(text, encoding);
  return asDocument(value);
}

/** Checks that a value is a document: an object with a string `_id` and a float64 `_creationTime`. */
export function asDocument(value: ConvexValue): ConvexDocument {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof ArrayBuffer) {
    throw new ValueEncodingError('a document must be a JSON object', '');
  }
  const id = value._id;
  if (typeof id !== 'string' || id.length === 0) throw new ValueEncodingError('must be a non-empty string', '_id');
  const creationTime = value._creationTime;
  if (typeof creationTime !== 'number' || !Number.isFinite(creationTime)) {
    throw new ValueEncodingError('must be a finite float64 number', '_creationTime');
  }
  return value as ConvexDocument;
}

const quotedKeys = new Map<string, string>();

/** `JSON.stringify(key)`, remembered: documents repeat a small set of field names millions of times. */
function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** Writes a Convex value in the uniform encoding (compact, field order kept). */
export function stringifyUniform(value: ConvexValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value) || Object.is(value, -0)) return `{"$float":"${float64ToBase64(value)}"}`;
      // Below 1e21 an integral float64 prints without exponent, so it needs the decimal point added.
      return Number.isInteger(value) && Math.abs(value) < 1e21 ? `${value}.0` : String(value);
    case 'object': {
      if (value instanceof ArrayBuffer) return `{"$bytes":"${Buffer.from(value).toString('base64')}"}`;
      // String concatenation instead of map/join: this runs for every stored document.
      if (Array.isArray(value)) {
        let out = '[';
        for (let index = 0; index < value.length; index++) {
          if (index > 0) out += ',';
          out += stringifyUniform(value[index]!);
        }
        return `${out}]`;
      }
      let out = '{';
      for (const key of Object.keys(value)) {
        const field = value[key];
        if (field === undefined) continue;
        if (out.length > 1) out += ',';
        out += `${quotedKey(key)}:${stringifyUniform(field)}`;
      }
      return `${out}}`;
    }
    default:
      throw new ValueEncodingError(`cannot encode a value of type ${typeof value}`, '');
  }
}

/** True when a value is a number of either Convex numeric type (float64 or int64). */
export function isNumeric(value: unknown): value is number | bigint {
  return typeof value === 'number' || typeof value === 'bigint';
}

/** A numeric Convex value as a JS number (int64 converted), or undefined when the value is not numeric. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}
