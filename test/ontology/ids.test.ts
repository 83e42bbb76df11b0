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
