/**
 * Convex document ids: `base32( VInt(tableNumber) ++ internalId[16] ++ footer[2] )` where the footer is the
 * fletcher16 checksum of what precedes it (version 0) and base32 uses Convex's alphabet. Ids minted here are
 * valid for `npx convex import`, so a snapshot we export can be loaded into a real deployment.
 *
 * The decoder accepts exactly what Convex's does: a table number from 1 to 2^32−1, the matching length, a
 * valid footer, and only the canonical text (Convex re-encodes a decoded id and compares), so no overlong
 * varint, no non-zero padding bits and no upper-case letters. Pure: runs in a plain V8 isolate.
 */

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const INTERNAL_ID_BYTES = 16;
const FOOTER_BYTES = 2;
const MAX_TABLE_NUMBER = 0xffffffff;
/** Shortest and longest ids: 1 to 5 varint bytes + 16 + 2 bytes, in base32. */
const MIN_ID_LENGTH = 31;
const MAX_ID_LENGTH = 37;

/** Base32 digit value per character code, -1 for characters outside the alphabet. */
const DIGIT = new Int8Array(128).fill(-1);
for (let index = 0; index < ALPHABET.length; index++) DIGIT[ALPHABET.charCodeAt(index)] = index;

/** A source of 16 random bytes per id; injectable so seeds and tests are deterministic. */
export type RandomBytes = (size: number) => Uint8Array;

function randomBytes(size: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(size));
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return bytes;
}

function fletcher16(bytes: ArrayLike<number>, length: number): number {
  let low = 0;
  let high = 0;
  for (let index = 0; index < length; index++) {
    low = (low + bytes[index]!) & 0xff;
    high = (high + low) & 0xff;
  }
  return (high << 8) | low;
}

function base32(bytes: readonly number[]): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 0x1f];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 0x1f];
  return out;
}

/** Encodes a Convex id for a table number and 16 internal-id bytes. */
export function encodeConvexId(tableNumber: number, internalId: Uint8Array): string {
  if (!Number.isInteger(tableNumber) || tableNumber <= 0 || tableNumber > MAX_TABLE_NUMBER) {
    throw new RangeError(`table number must be a positive 32-bit integer, got ${tableNumber}`);
  }
  if (internalId.length !== INTERNAL_ID_BYTES) throw new RangeError('internal id must be 16 bytes');
  const payload = [...varint(tableNumber), ...internalId];
  const footer = fletcher16(payload, payload.length);
  return base32([...payload, footer & 0xff, footer >> 8]);
}

// One scratch buffer: decoding runs for every document of an import, and nothing here is re-entrant.
const scratch = new Uint8Array(24);

/**
 * Reads the table number of a Convex id, or undefined when Convex would refuse the text as an id (wrong
 * characters or length, table number 0 or above 2^32−1, bad footer, or a non-canonical encoding).
 */
export function tableNumberOfId(id: string): number | undefined {
  const length = id.length;
  if (length < MIN_ID_LENGTH || length > MAX_ID_LENGTH) return undefined;
  // Canonical base32 of n bytes has ceil(8n/5) characters and zero padding bits.
  const byteCount = Math.floor((length * 5) / 8);
  if (Math.ceil((byteCount * 8) / 5) !== length) return undefined;
  let buffer = 0;
  let bits = 0;
  let position = 0;
  for (let index = 0; index < length; index++) {
    const code = id.charCodeAt(index);
    const value = code < 128 ? DIGIT[code]! : -1;
    if (value < 0) return undefined;
    buffer = ((buffer << 5) | value) & 0x1fff;
    bits += 5;
    if (bits >= 8) {
      scratch[position++] = (buffer >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) return undefined;
  // Varint (LEB128), at most 5 bytes for a u32; the last byte of a longer one must not be 0 (overlong).
  let tableNumber = 0;
  let varintBytes = 0;
  for (;;) {
    if (varintBytes === 5) return undefined;
    const byte = scratch[varintBytes]!;
    tableNumber += (byte & 0x7f) * 2 ** (7 * varintBytes);
    varintBytes++;
    if ((byte & 0x80) === 0) {
      if (byte === 0 && varintBytes > 1) return undefined;
      break;
    }
  }
  if (tableNumber === 0 || tableNumber > MAX_TABLE_NUMBER) return undefined;
  if (byteCount !== varintBytes + INTERNAL_ID_BYTES + FOOTER_BYTES) return undefined;
  const end = varintBytes + INTERNAL_ID_BYTES;
  const footer = fletcher16(scratch, end);
  const stored = scratch[end]! | (scratch[end + 1]! << 8);
  return footer === stored ? tableNumber : undefined;
}

/** Mints a new id for a table number. */
export function newConvexId(tableNumber: number, random: RandomBytes = randomBytes): string {
  return encodeConvexId(tableNumber, random(INTERNAL_ID_BYTES));
}
