/**
 * The shared Block Kit assertion of tests that build a message or view without sending it: `accepted(payload)`
 * fails with Slack's reasons when Slack would refuse the payload (`src/slack/blocks/validate.ts`), and returns it.
 * Tests that send go through the fake Web API or the local workspace, which refuse such payloads themselves.
 */
import { expect } from 'vitest';
import { messageProblems, viewProblems } from '../../../src/slack/blocks/validate.ts';

/** `payload` (a message, or a `home` / `modal` view), after checking that Slack would accept it. */
export function accepted<T>(payload: T): T {
  const kind = (payload as { type?: unknown }).type;
  const problems = kind === 'home' || kind === 'modal' ? viewProblems(payload) : messageProblems(payload as { text?: unknown; blocks?: unknown });
  expect(problems, 'Slack would refuse this payload').toEqual([]);
  return payload;
}

/** Wraps a builder so every payload it builds in a test is checked by `accepted`. */
export function checked<Args extends unknown[], T>(build: (...args: Args) => T): (...args: Args) => T {
  return (...args) => accepted(build(...args));
}
