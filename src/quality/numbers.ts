/**
 * Convex numbers as the rules read them, written for a plain V8 isolate (no `Buffer`, no `node:` modules), so
 * the same rule modules run in the SQLite adapter and inside Convex functions.
 */

/** True for either Convex number type: float64 (`number`, NaN and ±Infinity included) or int64 (`bigint`). */
export function isNumeric(value: unknown): value is number | bigint {
  return typeof value === 'number' || typeof value === 'bigint';
}

/** A numeric Convex value as a JS number (int64 converted), or undefined when the value is not numeric. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The bytes of a base64 text, or null when it is not valid base64. */
export function decodeBase64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  const body = text.replace(/=+$/, '');
  if (body.length % 4 === 1) return null;
  const bytes = new Uint8Array(Math.floor((body.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const char of body) {
    buffer = (buffer << 6) | BASE64_ALPHABET.indexOf(char);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[index++] = (buffer >> bits) & 0xff;
    }
  }
  return bytes;
}

/**
 * `{"$float": base64}` as plain `JSON.parse` leaves it (the uniform encoding of NaN, ±Infinity and -0) decoded
 * to its number; any other value is returned as it is.
 */
export function decodeFloatObject(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  const base64 = record.$float;
  if (typeof base64 !== 'string' || Object.keys(record).length !== 1) return value;
  const bytes = decodeBase64(base64);
  if (bytes === null || bytes.length !== 8) return value;
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true);
}
