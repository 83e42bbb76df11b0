import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.ts';
import { DEFAULT_THRESHOLDS, resolveThresholds, statusOf, type ThresholdMetric } from '../../src/quality/thresholds.ts';

const AFTER_V1 = { v1MigrationCompleted: true };
const BEFORE_V1 = { v1MigrationCompleted: false };

describe('statusOf at every boundary of the default table', () => {
  it.each<[ThresholdMetric, number, string, string]>([
    ['referentialIntegrityScore', 100, 'healthy', 'perfect'],
    ['referentialIntegrityScore', 99, 'healthy', 'exactly 99 is healthy (≥ 99)'],
    ['referentialIntegrityScore', 98.9999, 'warning', 'just below 99'],
    ['referentialIntegrityScore', 95, 'warning', 'exactly 95 is warning (95 ≤ x)'],
    ['referentialIntegrityScore', 94.9999, 'critical', 'just below 95'],
    ['referentialIntegrityScore', 0, 'critical', 'nothing intact'],
    ['orphanedEntityCount', 0, 'healthy', 'none'],
    ['orphanedEntityCount', 1, 'critical', 'one is critical (no warning band)'],
    ['crossGroupViolations', 0, 'healthy', 'none'],
    ['crossGroupViolations', 1, 'critical', 'one is critical (no warning band)'],
    ['missingGroupIds', 0, 'healthy', 'none'],
    ['missingGroupIds', 1, 'critical', 'after the v1 migration one is critical'],
    ['malformedPropertiesPercent', 0, 'healthy', 'none'],
    ['malformedPropertiesPercent', 0.01, 'healthy', 'exactly 0.01 is healthy (≤ 0.01)'],
    ['malformedPropertiesPercent', 0.0101, 'warning', 'just above 0.01'],
    ['malformedPropertiesPercent', 0.1, 'warning', 'exactly 0.1 is warning (≤ 0.1)'],
    ['malformedPropertiesPercent', 0.1001, 'critical', 'just above 0.1'],
    ['schemaComplianceScore', 95, 'healthy', 'exactly 95 is healthy'],
    ['schemaComplianceScore', 94.9999, 'warning', 'just below 95'],
    ['schemaComplianceScore', 90, 'warning', 'exactly 90 is warning'],
    ['schemaComplianceScore', 89.9999, 'critical', 'just below 90'],
    ['eventArchivalProgress', 90, 'healthy', 'exactly 90 is healthy'],
    ['eventArchivalProgress', 89.9999, 'warning', 'just below 90'],
    ['eventArchivalProgress', 70, 'warning', 'exactly 70 is warning'],
    ['eventArchivalProgress', 69.9999, 'critical', 'just below 70'],
  ])('%s = %d → %s (%s)', (metric, value, expected) => {
    expect(statusOf(metric, value, AFTER_V1)).toBe(expected);
  });

  it.each<[ThresholdMetric, number, string, string]>([
    ['missingGroupIds', 0, 'healthy', 'none is healthy either way'],
    ['missingGroupIds', 1, 'info', 'before the v1 migration missing groupIds are info only'],
    ['missingGroupIds', 1_000_000, 'info', 'however many'],
    ['orphanedEntityCount', 1, 'critical', 'other metrics do not depend on the migration'],
    ['referentialIntegrityScore', 96, 'warning', 'nor does the score'],
  ])('before the v1 migration: %s = %d → %s (%s)', (metric, value, expected) => {
    expect(statusOf(metric, value, BEFORE_V1)).toBe(expected);
  });
});

describe('resolveThresholds', () => {
  it('returns the defaults without overrides', () => {
    expect(resolveThresholds()).toEqual(DEFAULT_THRESHOLDS);
  });

  it('applies bound overrides and keeps the rest', () => {
    const table = resolveThresholds({ referentialIntegrityScore: { healthy: 99.9 }, orphanedEntityCount: { warning: 10 }, malformedPropertiesPercent: { healthy: 0.0001 } });
    expect(table.referentialIntegrityScore).toEqual({ better: 'higher', healthy: 99.9, warning: 95 });
    expect(statusOf('referentialIntegrityScore', 99.5, AFTER_V1, table)).toBe('warning');
    expect(statusOf('orphanedEntityCount', 10, AFTER_V1, table)).toBe('warning');
    expect(statusOf('orphanedEntityCount', 11, AFTER_V1, table)).toBe('critical');
    expect(table.schemaComplianceScore).toEqual(DEFAULT_THRESHOLDS.schemaComplianceScore);
  });

  it.each<[unknown, RegExp, string]>([
    [{ noSuchMetric: { healthy: 1 } }, /noSuchMetric/, 'an unknown metric'],
    [{ referentialIntegrityScore: { healthy: 'high' } }, /referentialIntegrityScore\.healthy/, 'a bound that is not a number'],
    [{ referentialIntegrityScore: { better: 'lower' } }, /referentialIntegrityScore/, 'the direction cannot change'],
    [{ referentialIntegrityScore: { warning: 99.5 } }, /warning bound 99\.5 must be ≤ the healthy bound 99/, 'warning above healthy for a score'],
    [{ malformedPropertiesPercent: { warning: 0.001 } }, /must be ≥ the healthy bound 0\.01/, 'warning below healthy for a count'],
    [{ malformedPropertiesPercent: { healthy: 0.00005 } }, /malformedPropertiesPercent\.healthy: must have at most 4 decimal places/, 'metrics have 4 decimals: a finer bound could not be judged'],
  ])('rejects %o (%s)', (overrides, message) => {
    expect(() => resolveThresholds(overrides)).toThrow(InvalidArgumentError);
    expect(() => resolveThresholds(overrides)).toThrow(message);
  });
});
