import { describe, expect, it } from 'vitest';
import { RESPONSE_URL_LIFETIME_MS, RESPONSE_URL_MAX_USES, ResponseUrlBudget } from '../../src/slack/reply.ts';

describe('ResponseUrlBudget', () => {
  it('allows 5 uses of one response_url, then refuses; other URLs have their own budget', () => {
    let now = 0;
    const budget = new ResponseUrlBudget(() => now);
    budget.issued('a');
    for (let use = 0; use < RESPONSE_URL_MAX_USES; use++) expect(budget.take('a')).toBe(true);
    expect(budget.take('a')).toBe(false);
    expect(budget.take('b')).toBe(true);
    now = 1;
    expect(budget.take('a')).toBe(false);
  });

  it('refuses a response_url 30 minutes after its interaction, even unused', () => {
    let now = 1_000;
    const budget = new ResponseUrlBudget(() => now);
    budget.issued('a');
    now += RESPONSE_URL_LIFETIME_MS - 1;
    budget.issued('b');
    expect(budget.take('a')).toBe(true);
    now += 1;
    expect(budget.take('a')).toBe(false);
    expect(budget.take('a')).toBe(false);
    expect(budget.take('b')).toBe(true);
  });
});
