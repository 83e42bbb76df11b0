import { describe, expect, it } from 'vitest';
import { badness, baselineOf, decideSilence, materiallyWorse, type SilenceDecision } from '../../src/alerts/silence-decision.ts';
import type { Signal, Silence, SilenceBaseline } from '../../src/alerts/types.ts';
import { crossGroupSignal } from '../helpers/alert-fixtures.ts';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-27T12:00:00Z');

/** The silence of the report: set from the message on 8 cross-group links platform-wide and 3 groups. */
function silence(baseline: SilenceBaseline[] | undefined, overrides: Partial<Silence> = {}): Silence {
  return {
    id: '7',
    subject: 'crossGroupViolations',
    groupId: '*',
    severity: null,
    until: NOW + HOUR,
    createdBy: 'U1',
    reason: 'known links',
    createdAt: NOW - HOUR,
    ...(baseline ? { baseline } : {}),
    ...overrides,
  };
}

const SET_ON: SilenceBaseline[] = [
  { groupId: null, severity: 'critical', value: 8 },
  { groupId: 'g1', severity: 'critical', value: 3 },
  { groupId: 'g2', severity: 'critical', value: 3 },
  { groupId: 'g3', severity: 'critical', value: 2 },
];

const firing = (groupId: string | null, value: number, overrides: Partial<Signal> = {}) => crossGroupSignal({ groupId, value, ...overrides });
const score = (groupId: string | null, value: number, severity: Signal['severity']) =>
  crossGroupSignal({ subject: 'referentialIntegrityScore', groupId, value, severity, unit: 'percent' });

describe('decideSilence', () => {
  it.each<[string, Silence, Signal[], SilenceDecision]>([
    ['set ahead of time while nothing fired: covers whatever fires', silence(undefined), [firing(null, 1_797), firing('g9', 400)], { action: 'keep', reason: 'no_baseline' }],
    ['the same scopes at the same values', silence(SET_ON), [firing(null, 8), firing('g1', 3), firing('g2', 3), firing('g3', 2)], { action: 'keep', reason: 'within_baseline' }],
    ['fewer scopes, values a little worse (8 → 15)', silence(SET_ON), [firing(null, 15), firing('g1', 5)], { action: 'keep', reason: 'within_baseline' }],
    [
      'the platform value doubles (8 → 16)',
      silence(SET_ON),
      [firing(null, 16)],
      { action: 'break', reason: 'value_doubled', breach: { groupId: null, before: { severity: 'critical', value: 8 }, now: { severity: 'critical', value: 16 } } },
    ],
    [
      'the report: 8 → 1,797 after a migration, and four new scopes; the platform is named first',
      silence(SET_ON),
      [firing('g4', 90), firing(null, 1_797), firing('g5', 12)],
      { action: 'break', reason: 'value_doubled', breach: { groupId: null, before: { severity: 'critical', value: 8 }, now: { severity: 'critical', value: 1_797 } } },
    ],
    [
      'a scope that was not firing when it was set starts firing',
      silence(SET_ON),
      [firing(null, 8), firing('g4', 1)],
      { action: 'break', reason: 'new_scope', breach: { groupId: 'g4', before: null, now: { severity: 'critical', value: 1 } } },
    ],
    [
      'a scope crosses from warning to critical (a silence of every severity)',
      silence([{ groupId: 'g1', severity: 'warning', value: 97 }], { subject: 'referentialIntegrityScore' }),
      [score('g1', 94, 'critical')],
      { action: 'break', reason: 'severity_raised', breach: { groupId: 'g1', before: { severity: 'warning', value: 97 }, now: { severity: 'critical', value: 94 } } },
    ],
    [
      'a score loses a little (97 → 96%: 3 → 4 points from perfect)',
      silence([{ groupId: 'g1', severity: 'warning', value: 97 }], { subject: 'referentialIntegrityScore' }),
      [score('g1', 96, 'warning')],
      { action: 'keep', reason: 'within_baseline' },
    ],
    [
      'a score gets twice as far from perfect (97 → 94%)',
      silence([{ groupId: 'g1', severity: 'warning', value: 97 }], { subject: 'referentialIntegrityScore', severity: 'warning' }),
      [score('g1', 94, 'warning')],
      { action: 'break', reason: 'value_doubled', breach: { groupId: 'g1', before: { severity: 'warning', value: 97 }, now: { severity: 'warning', value: 94 } } },
    ],
    ['signals it does not match (another subject, another scope than its own) are not its business', silence([{ groupId: 'g1', severity: 'critical', value: 3 }], { groupId: 'g1' }), [firing('g2', 500), firing('g1', 3), crossGroupSignal({ subject: 'orphanedEntityCount', groupId: 'g1', value: 900 })], { action: 'keep', reason: 'within_baseline' }],
    ['an ended silence matches nothing', silence(SET_ON, { until: NOW }), [firing(null, 1_797)], { action: 'keep', reason: 'within_baseline' }],
    ['the value got better', silence(SET_ON), [firing(null, 2)], { action: 'keep', reason: 'within_baseline' }],
  ])('%s', (_reason, given, signals, expected) => {
    expect(decideSilence(given, signals, NOW)).toEqual(expected);
  });
});

describe('materially worse', () => {
  it.each([
    ['a count doubling', 'crossGroupViolations', 8, 16, true],
    ['a count short of double', 'crossGroupViolations', 8, 15, false],
    ['a trend of a count reads like the count', 'trend.orphanedEntityCount', 10, 20, true],
    ['a score twice as far from 100%', 'schemaComplianceScore', 92, 84, true],
    ['a score a point worse', 'schemaComplianceScore', 92, 91, false],
    ['a percentage where lower is better', 'malformedPropertiesPercent', 0.2, 0.4, true],
    ['failures of a job', 'monitor.daily', 1, 2, true],
    ['from a distance of 0, any worsening', 'crossGroupViolations', 0, 1, true],
  ])('%s', (_reason, subject, before, now, expected) => {
    expect(materiallyWorse(subject, before, now)).toBe(expected);
  });

  it('measures a score by its distance from 100% and a count by itself', () => {
    expect(badness('referentialIntegrityScore', 97.5)).toBe(2.5);
    expect(badness('trend.referentialIntegrityScore', 90)).toBe(10);
    expect(badness('orphanedEntityCount', 7)).toBe(7);
  });
});

describe('baselineOf', () => {
  it('takes the firing alerts the silence matches, with their severity and value', () => {
    const alerts = [
      { subject: 'crossGroupViolations', groupId: null, severity: 'critical' as const, value: 8 },
      { subject: 'crossGroupViolations', groupId: 'g1', severity: 'critical' as const, value: 3 },
      { subject: 'crossGroupViolations', groupId: 'g2', severity: 'warning' as const, value: 1 },
      { subject: 'orphanedEntityCount', groupId: null, severity: 'critical' as const, value: 5 },
      { subject: 'crossGroupViolations', groupId: 'g3', severity: 'critical' as const, value: null },
    ];
    expect(baselineOf({ subject: 'crossGroupViolations', groupId: '*', severity: 'critical', until: NOW + HOUR }, alerts, NOW)).toEqual([
      { groupId: null, severity: 'critical', value: 8 },
      { groupId: 'g1', severity: 'critical', value: 3 },
    ]);
    expect(baselineOf({ subject: 'crossGroupViolations', groupId: 'g2', severity: null, until: NOW + HOUR }, alerts, NOW)).toEqual([
      { groupId: 'g2', severity: 'warning', value: 1 },
    ]);
  });
});
