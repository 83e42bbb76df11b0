import { describe, expect, it } from 'vitest';
import { decide, type DecisionInput } from '../../src/alerts/decide.ts';
import type { AlertState, Decision, Silence } from '../../src/alerts/types.ts';
import { crossGroupSignal } from '../helpers/alert-fixtures.ts';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-27T12:00:00Z');
const REPEAT = 4 * HOUR;

const signal = crossGroupSignal;

function state(overrides: Partial<AlertState> = {}): AlertState {
  return {
    id: '1',
    key: 'crossGroupViolations|platform|critical',
    subject: 'crossGroupViolations',
    groupId: null,
    severity: 'critical',
    status: 'firing',
    title: 'Cross-group violations',
    details: { unit: 'count', threshold: 'critical when > 0', breakdown: {}, topIssueIds: [], remediation: [] },
    firstFiringAt: NOW - HOUR,
    lastEvaluatedAt: NOW - HOUR,
    resolvedAt: null,
    lastValue: 2,
    notifiedAt: NOW - HOUR,
    lastReminderAt: null,
    notificationId: '1',
    acknowledgedBy: null,
    acknowledgedAt: null,
    ...overrides,
  };
}

const silence: Silence = {
  id: '1',
  subject: 'crossGroupViolations',
  groupId: null,
  severity: null,
  until: NOW + HOUR,
  createdBy: 'U1',
  reason: 'maintenance',
  createdAt: NOW - HOUR,
};

type Case = [string, Partial<DecisionInput>, Decision];

const cases: Case[] = [
  ['never fired and fires now: post it', { previous: null, current: signal() }, { action: 'post', reason: 'new' }],
  [
    'fired before, resolved, fires again: a new alert is posted',
    { previous: state({ status: 'resolved', resolvedAt: NOW - 1 }), current: signal() },
    { action: 'post', reason: 'new' },
  ],
  ['new but silenced: recorded, not posted', { previous: null, current: signal(), silence }, { action: 'record', reason: 'silenced' }],
  ['still firing with a new value: edit in place', { previous: state(), current: signal({ value: 3 }) }, { action: 'update', reason: 'still_firing' }],
  [
    'still firing with the same value: nothing to edit',
    { previous: state({ lastValue: 3 }), current: signal({ value: 3 }) },
    { action: 'record', reason: 'value_unchanged' },
  ],
  [
    'critical, still firing, repeat interval elapsed since the post: reminder in thread',
    { previous: state({ notifiedAt: NOW - REPEAT }), current: signal() },
    { action: 'remind', reason: 'repeat_interval_elapsed' },
  ],
  [
    'critical, reminded less than the interval ago: no second reminder',
    { previous: state({ notifiedAt: NOW - 10 * HOUR, lastReminderAt: NOW - REPEAT + 1 }), current: signal() },
    { action: 'update', reason: 'still_firing' },
  ],
  [
    'warning alerts never get reminders',
    {
      previous: state({ severity: 'warning', notifiedAt: NOW - 10 * HOUR }),
      current: signal({ severity: 'warning' }),
    },
    { action: 'update', reason: 'still_firing' },
  ],
  [
    'acknowledged: edited, but no reminder even after the interval',
    { previous: state({ notifiedAt: NOW - 10 * HOUR, acknowledgedAt: NOW - HOUR, acknowledgedBy: 'U1' }), current: signal() },
    { action: 'update', reason: 'acknowledged' },
  ],
  [
    'acknowledged and unchanged: nothing to edit',
    { previous: state({ notifiedAt: NOW - 10 * HOUR, acknowledgedAt: NOW - HOUR, acknowledgedBy: 'U1', lastValue: 3 }), current: signal() },
    { action: 'record', reason: 'acknowledged' },
  ],
  ['firing and silenced: recorded only', { previous: state(), current: signal(), silence }, { action: 'record', reason: 'silenced' }],
  [
    'began while silenced, silence now over: first post',
    { previous: state({ notifiedAt: null, notificationId: null }), current: signal() },
    { action: 'post', reason: 'silence_expired' },
  ],
  ['stopped firing: resolve in thread', { previous: state(), current: null }, { action: 'resolve', reason: 'resolved' }],
  [
    'stopped firing at this severity but fires at another: resolved as a severity change',
    { previous: state(), current: null, firingAtOtherSeverity: true },
    { action: 'resolve', reason: 'severity_changed' },
  ],
  [
    'resolved while silenced: original edited, no thread reply',
    { previous: state(), current: null, silence },
    { action: 'resolve_quietly', reason: 'resolved_while_silenced' },
  ],
  [
    'resolved but never notified (silenced throughout): record only',
    { previous: state({ notifiedAt: null, notificationId: null }), current: null },
    { action: 'record', reason: 'resolved_never_notified' },
  ],
  ['not firing and nothing open: nothing', { previous: null, current: null }, { action: 'none', reason: 'not_firing' }],
  [
    'not firing and the last alert is already resolved: nothing',
    { previous: state({ status: 'resolved', resolvedAt: NOW - HOUR }), current: null },
    { action: 'none', reason: 'not_firing' },
  ],
];

describe('decide', () => {
  it.each(cases)('%s', (_reason, input, expected) => {
    const decision = decide({
      previous: null,
      current: null,
      firingAtOtherSeverity: false,
      silence: null,
      now: NOW,
      repeatIntervalMs: REPEAT,
      ...input,
    });
    expect(decision).toEqual(expected);
  });
});
