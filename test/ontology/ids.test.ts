import { describe, expect, it } from 'vitest';
import { encodeConvexId, newConvexId, tableNumberOfId } from '../../src/ontology/ids.ts';

describe('Convex ids', () => {
  it.each([
    [1, 31, 'one varint byte'],
    [127, 31, 'largest one-byte table number'],
    [128, 32, 'two varint bytes'],
    [10001, 32, 'first user table number of a deployment'],
    [2 ** 32 - 1, 37, 'five varint bytes for the largest table number'],
  ])('table %i gives a %i-character id that decodes back (%s)', (tableNumber, length) => {
    const id = newConvexId(tableNumber);
    expect(id).toHaveLength(length);
    expect(id).toMatch(/^[0-9a-hjkmnp-tv-z]+$/);
    expect(tableNumberOfId(id)).toBe(tableNumber);
  });

  it('is deterministic for the same internal id bytes', () => {
    const bytes = new Uint8Array(16).fill(7);
    expect(encodeConvexId(10001, bytes)).toBe(encodeConvexId(10001, bytes));
  });

  it.each([
    ['not-an-id', 'characters outside the alphabet'],
    ['0000000000000000000000000000000', 'table number 0'],
  ])('rejects %s (%s)', (text) => {
    expect(tableNumberOfId(text)).toBeUndefined();
  });

  it('detects a changed character through the checksum', () => {
    const id = newConvexId(10001, () => new Uint8Array(16).fill(1));
    const flipped = id.slice(0, 10) + (id[10] === 'a' ? 'b' : 'a') + id.slice(11);
    expect(tableNumberOfId(flipped)).toBeUndefined();
  });

  it.each([[0], [-1], [1.5]])('refuses table number %s', (tableNumber) => {
    expect(() => newConvexId(tableNumber)).toThrow(RangeError);
  });
});

describe('Convex ids: only what Convex itself accepts', () => {
  const internal = Uint8Array.from({ length: 16 }, (_, index) => index * 13);

  it.each([
    ['mz1xn7tymdnktmmzqy5xxhn7tjs2nkkfmtjjr', 'a five-byte varint above 2^32−1 (table 25,299,427,751)'],
    [encodeConvexId(10001, internal).toUpperCase(), 'upper case: Convex compares with the canonical re-encoding'],
    [`${encodeConvexId(10001, internal)}0`, 'a character too many'],
    [encodeConvexId(10001, internal).slice(0, -1), 'a character too few'],
  ])('rejects %s (%s)', (text) => {
    expect(tableNumberOfId(text)).toBeUndefined();
  });

  it('rejects an overlong varint (table 1 written in two bytes) even with a valid footer', () => {
    const payload = [0x81, 0x00, ...internal];
    let low = 0;
    let high = 0;
    for (const byte of payload) {
      low = (low + byte) & 0xff;
      high = (high + low) & 0xff;
    }
    const bytes = [...payload, low, high];
    const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
    let text = '';
    let buffer = 0;
    let bits = 0;
    for (const byte of bytes) {
      buffer = ((buffer << 8) | byte) & 0xfff;
      bits += 8;
      while (bits >= 5) {
        text += alphabet[(buffer >>> (bits - 5)) & 0x1f];
        bits -= 5;
      }
    }
    if (bits > 0) text += alphabet[(buffer << (5 - bits)) & 0x1f];
    expect(text).toHaveLength(32);
    expect(tableNumberOfId(text)).toBeUndefined();
  });

  it('rejects non-zero padding bits (a last character that re-encodes differently)', () => {
    const id = encodeConvexId(10001, internal);
    // 20 bytes = 160 bits = exactly 32 characters: no padding; 21 bytes (table ≥ 2^14) leave 2 padding bits.
    const padded = encodeConvexId(2 ** 14, internal);
    expect(padded).toHaveLength(34);
    const last = padded.at(-1)!;
    const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
    const changed = padded.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
    expect(tableNumberOfId(changed)).toBeUndefined();
    expect(tableNumberOfId(id)).toBe(10001);
  });
});
