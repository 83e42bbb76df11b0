import { describe, expect, it } from 'vitest';
import {
  isV1SchemaVersion,
  isValidityWindowInverted,
  malformedPropertyFields,
  paymentMetadataProblems,
  PROPERTY_RULES,
  RULED_ENTITY_TYPES,
} from '../../src/quality/rules.ts';

/** The uniform encoding of a float64 JSON cannot hold, as plain JSON.parse leaves it. */
function float(value: number): { $float: string } {
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleLE(value, 0);
  return { $float: bytes.toString('base64') };
}

describe('property rules', () => {
  it('has exactly the five specified entity types', () => {
    expect(Object.keys(PROPERTY_RULES).sort()).toEqual(['blog_post', 'course', 'creator', 'organization', 'product']);
    expect([...RULED_ENTITY_TYPES].sort()).toEqual(Object.keys(PROPERTY_RULES).sort());
  });

  it.each<[string, unknown, string[], string]>([
    ['creator', { role: 'host' }, [], 'a non-empty role'],
    ['creator', { role: ' a ' }, [], 'a role with text around spaces'],
    ['creator', { role: '   ' }, ['role'], 'a role that is blank after trimming'],
    ['creator', { role: '' }, ['role'], 'an empty role'],
    ['creator', { role: 5 }, ['role'], 'a role that is not a string'],
    ['creator', {}, ['role'], 'no role'],
    ['creator', { role: 'x', extra: null }, [], 'extra properties are fine'],
    ['organization', { plan: 'pro' }, [], 'a non-empty plan'],
    ['organization', { plan: ' ' }, [], 'a plan of one space is non-empty (no trimming for plan)'],
    ['organization', { plan: '' }, ['plan'], 'an empty plan'],
    ['organization', { plan: null }, ['plan'], 'a null plan'],
    ['blog_post', { title: 't', content: 'c' }, [], 'title and content'],
    ['blog_post', { title: 't' }, ['content'], 'no content'],
    ['blog_post', { title: '', content: '' }, ['content', 'title'], 'both empty, named in order'],
    ['course', { title: 't', description: 'd' }, [], 'title and description'],
    ['course', { title: 't', description: 3 }, ['description'], 'a description that is not a string'],
    ['course', { description: 'd' }, ['title'], 'no title'],
    ['product', { price: 0, currency: 'USD' }, [], 'a zero price'],
    ['product', { price: 19.99, currency: 'EUR' }, [], 'a decimal price'],
    ['product', { price: 5n, currency: 'JPY' }, [], 'an int64 price is a number'],
    ['product', { price: -0.01, currency: 'USD' }, ['price'], 'a negative price'],
    ['product', { price: -1n, currency: 'USD' }, ['price'], 'a negative int64 price'],
    ['product', { price: float(Number.POSITIVE_INFINITY), currency: 'USD' }, ['price'], 'an infinite price (uniform $float)'],
    ['product', { price: float(Number.NaN), currency: 'USD' }, ['price'], 'a NaN price (uniform $float)'],
    ['product', { price: float(-0), currency: 'USD' }, [], '-0 is finite and ≥ 0'],
    ['product', { price: '10', currency: 'USD' }, ['price'], 'a price given as text'],
    ['product', { price: 1, currency: 'usd' }, ['currency'], 'a lower-case currency'],
    ['product', { price: 1, currency: 'US' }, ['currency'], 'a two-letter currency'],
    ['product', { price: 1, currency: 'USDT' }, ['currency'], 'a four-letter currency'],
    ['product', { price: 1, currency: 'ÜSD' }, ['currency'], 'letters outside A–Z'],
    ['product', {}, ['currency', 'price'], 'nothing at all'],
  ])('%s with %o → %o (%s)', (type, properties, expected) => {
    expect(malformedPropertyFields(type, properties)).toEqual(expected);
  });

  it.each<[unknown, string]>([
    [null, 'null'],
    ['text', 'a string'],
    [['role'], 'an array'],
    [42, 'a number'],
    [undefined, 'missing'],
  ])('properties that are not an object count as {} (%s: %s)', (properties) => {
    expect(malformedPropertyFields('creator', properties)).toEqual(['role']);
    expect(malformedPropertyFields('agent', properties)).toEqual([]);
  });

  it.each<[string | null, string]>([
    ['agent', 'a type without a rule'],
    ['constructor', 'a type named like an Object.prototype member'],
    ['toString', 'another prototype member'],
    [null, 'no type at all'],
  ])('never flags %s (%s)', (type) => {
    expect(malformedPropertyFields(type, { anything: -1 })).toEqual([]);
  });
});

describe('payment metadata rule', () => {
  it.each<[unknown, string[], string]>([
    [{ protocol: 'x402', status: 'requested', amount: 1 }, [], 'x402, requested'],
    [{ protocol: 'acp', status: 'verified', amount: 0 }, [], 'acp, verified, zero'],
    [{ protocol: 'ap2', status: 'processed', amount: 7n }, [], 'an int64 amount is numeric'],
    [{ protocol: 'ap2', status: 'processed', amount: -3.5 }, [], 'a negative amount is still numeric'],
    [{ protocol: 'ap2', status: 'processed', amount: float(Number.NaN) }, [], 'NaN is a float64, hence numeric'],
    [{ protocol: 'ach', status: 'processed', amount: 1 }, ['protocol'], 'an unknown protocol'],
    [{ protocol: 'X402', status: 'processed', amount: 1 }, ['protocol'], 'protocols are case-sensitive'],
    [{ protocol: 'x402', status: 'done', amount: 1 }, ['status'], 'an unknown status'],
    [{ protocol: 'x402', status: 'processed', amount: '1' }, ['amount'], 'an amount given as text'],
    [{ protocol: 'x402', status: 'processed' }, ['amount'], 'no amount'],
    [{}, ['amount', 'protocol', 'status'], 'empty metadata'],
    [null, ['amount', 'protocol', 'status'], 'null metadata counts as {}'],
    [undefined, ['amount', 'protocol', 'status'], 'missing metadata counts as {}'],
    [[1, 2], ['amount', 'protocol', 'status'], 'an array counts as {}'],
  ])('%o → %o (%s)', (metadata, expected) => {
    expect(paymentMetadataProblems(metadata)).toEqual(expected);
  });
});

describe('validity window and schema version', () => {
  it.each<[unknown, unknown, boolean, string]>([
    [10, 5, true, 'ends before it starts'],
    [5, 5, false, 'equal bounds are fine'],
    [5, 10, false, 'a normal window'],
    [10n, 5, true, 'int64 and float64 compare numerically'],
    [undefined, 5, false, 'no validFrom'],
    [10, null, false, 'no validTo'],
    ['10', 5, false, 'a text bound is not numeric'],
  ])('validFrom %o, validTo %o → %s (%s)', (from, to, expected) => {
    expect(isValidityWindowInverted(from, to)).toBe(expected);
  });

  it.each<[unknown, boolean, string]>([
    [1, true, 'float64 1'],
    [2n, true, 'int64 2'],
    [0.999, false, 'below 1'],
    ['1', false, 'text is not numeric'],
    [undefined, false, 'missing'],
    [float(Number.POSITIVE_INFINITY), true, 'infinity is ≥ 1'],
  ])('schemaVersion %o → v1 %s (%s)', (version, expected) => {
    expect(isV1SchemaVersion(version)).toBe(expected);
  });
});
