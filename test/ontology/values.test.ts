import { describe, expect, it } from 'vitest';
import {
  asDocument,
  parseConvexJson,
  parseDocument,
  stringifyUniform,
  ValueEncodingError,
  type ConvexValue,
} from '../../src/ontology/values.ts';

describe('parseConvexJson (uniform)', () => {
  it.each([
    ['1', 1n, 'a bare integer is an int64'],
    ['-42', -42n, 'negative int64'],
    ['1.0', 1, 'a decimal point makes a float64'],
    ['2.5e-7', 2.5e-7, 'an exponent makes a float64'],
    ['9007199254740993', 9007199254740993n, 'int64 beyond 2^53 keeps every digit'],
    ['{"$float":"AAAAAAAA+H8="}', Number.NaN, '$float holds NaN'],
    ['{"$float":"AAAAAAAA8H8="}', Number.POSITIVE_INFINITY, '$float holds +Infinity'],
    ['"x"', 'x', 'strings pass through'],
    ['null', null, 'null passes through'],
  ])('%s → %s (%s)', (text, expected, _reason) => {
    expect(parseConvexJson(text, 'uniform')).toEqual(expected);
  });

  it('decodes $bytes to an ArrayBuffer', () => {
    const value = parseConvexJson('{"$bytes":"AQID"}', 'uniform');
    expect(value).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(value as ArrayBuffer)]).toEqual([1, 2, 3]);
  });

  it('rejects $integer, which only the legacy encoding has', () => {
    expect(() => parseConvexJson('{"$integer":"AQAAAAAAAAA="}', 'uniform')).toThrow(ValueEncodingError);
  });

  it('names the field path of a bad special value', () => {
    expect(() => parseConvexJson('{"a":{"b":[{"$float":"AQ=="}]}}', 'uniform')).toThrow(/a\.b\[0\]/);
  });
});

describe('parseConvexJson (legacy)', () => {
  it.each([
    ['1', 1, 'every plain number is a float64'],
    ['{"$integer":"AQAAAAAAAAA="}', 1n, '$integer is an int64 (8 bytes little-endian)'],
    ['{"$integer":"//////////8="}', -1n, 'negative int64'],
  ])('%s → %s (%s)', (text, expected, _reason) => {
    expect(parseConvexJson(text, 'legacy')).toEqual(expected);
  });
});

describe('stringifyUniform', () => {
  it.each<[ConvexValue, string, string]>([
    [1, '1.0', 'an integral float64 gets a decimal point'],
    [1n, '1', 'an int64 is a bare integer'],
    [0.1, '0.1', 'shortest round-trip float text'],
    [1e21, '1e+21', 'exponent form already marks a float'],
    [-0, '{"$float":"AAAAAAAAAIA="}', '-0 cannot be written as a JSON number'],
    [Number.NaN, '{"$float":"AAAAAAAA+H8="}', 'NaN goes to $float'],
    [{ b: true, a: [null, 'x'] }, '{"b":true,"a":[null,"x"]}', 'field order is kept'],
  ])('%s → %s (%s)', (value, expected) => {
    expect(stringifyUniform(value)).toBe(expected);
  });

  it('round-trips every value type through the uniform encoding', () => {
    const text =
      '{"_id":"abc","_creationTime":1700000000000.5,"i":7,"f":7.0,"neg":-3,"big":-9223372036854775808,' +
      '"nan":{"$float":"AAAAAAAA+H8="},"bytes":{"$bytes":"AAEC/w=="},"nested":{"list":[1,1.5,"s",false,null]}}';
    expect(stringifyUniform(parseConvexJson(text, 'uniform'))).toBe(text);
  });

  it('converts a legacy document to the uniform encoding without changing types', () => {
    const legacy = '{"_id":"x","_creationTime":1.0,"count":{"$integer":"AgAAAAAAAAA="},"score":3}';
    expect(stringifyUniform(parseConvexJson(legacy, 'legacy'))).toBe('{"_id":"x","_creationTime":1.0,"count":2,"score":3.0}');
  });
});

describe('documents', () => {
  it.each([
    ['[1]', /JSON object/, 'a document must be an object'],
    ['{"_creationTime":1.0}', /_id/, 'missing _id'],
    ['{"_id":"","_creationTime":1.0}', /_id/, 'empty _id'],
    ['{"_id":"a"}', /_creationTime/, 'missing _creationTime'],
    ['{"_id":"a","_creationTime":"yesterday"}', /_creationTime/, 'a string is not a creation time'],
  ])('rejects %s (%s)', (text, message) => {
    expect(() => parseDocument(text, 'uniform')).toThrow(message);
  });

  it('accepts a minimal document', () => {
    expect(asDocument({ _id: 'a', _creationTime: 5 })).toEqual({ _id: 'a', _creationTime: 5 });
  });
});
