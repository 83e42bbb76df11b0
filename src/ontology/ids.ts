/**
 * Convex document ids: `base32( VInt(tableNumber) ++ internalId[16] ++ footer[2] )` where the footer is the
 * fletcher16 checksum of what precedes it (version 0) and base32 uses Convex's alphabet. Ids minted here are
 * valid for `npx convex import`, so a snapshot we export can be loaded into a real deployment.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const INTERNAL_ID_BYTES = 16;

/** A source of 16 random bytes per id; injectable so seeds and tests are deterministic. */
export type RandomBytes = (size: number) => Uint8Array;

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

function fletcher16(bytes: readonly number[]): number {
  let low = 0;
  let high = 0;
  for (const byte of bytes) {
    low = (low + byte) & 0xff;
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
  if (!Number.isInteger(tableNumber) || tableNumber <= 0 || tableNumber > 0xffffffff) {
    throw new RangeError(`table number must be a positive 32-bit integer, got ${tableNumber}`);
  }
  if (internalId.length !== INTERNAL_ID_BYTES) throw new RangeError('internal id must be 16 bytes');
  const payload = [...varint(tableNumber), ...internalId];
  const footer = fletcher16(payload);
  return base32([...payload, footer & 0xff, footer >> 8]);
}

/** Reads the table number of a Convex id, or undefined when the text is not a well-formed id. */
export function tableNumberOfId(id: string): number | undefined {
  const values: number[] = [];
  for (const char of id) {
    const index = ALPHABET.indexOf(char);
    if (index < 0) return undefined;
    values.push(index);
  }
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const value of values) {
    buffer = ((buffer << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  let tableNumber = 0;
  let position = 0;
  for (let shift = 0; position < 5; shift += 7) {
    const byte = bytes[position++];
    if (byte === undefined) return undefined;
    tableNumber += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
  }
  if (bytes.length !== position + INTERNAL_ID_BYTES + 2 || tableNumber === 0) return undefined;
  const footer = fletcher16(bytes.slice(0, position + INTERNAL_ID_BYTES));
  const stored = bytes[position + INTERNAL_ID_BYTES]! | (bytes[position + INTERNAL_ID_BYTES + 1]! << 8);
  return footer === stored ? tableNumber : undefined;
}

/** Mints a new id for a table number. */
export function newConvexId(tableNumber: number, random: RandomBytes = randomBytes): string {
  return encodeConvexId(tableNumber, random(INTERNAL_ID_BYTES));
}
