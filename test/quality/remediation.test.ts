import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../src/quality/categories.ts';
import { METRIC_REMEDIATION, REMEDIATION, remediationForMetric } from '../../src/quality/remediation.ts';
import { THRESHOLD_METRICS } from '../../src/quality/thresholds.ts';

const guide = readFileSync(new URL('../../docs/data-quality-metrics.md', import.meta.url), 'utf8');

describe('remediation steps', () => {
  it.each(CATEGORIES)('the metrics guide quotes every step for %s verbatim', (category) => {
    const remediation = REMEDIATION[category];
    expect(guide).toContain(remediation.meaning);
    remediation.steps.forEach((step, index) => expect(guide).toContain(`${index + 1}. ${step}`));
  });

  it.each(Object.keys(METRIC_REMEDIATION))('the metrics guide quotes every step for metric %s', (metric) => {
    const remediation = METRIC_REMEDIATION[metric as keyof typeof METRIC_REMEDIATION]!;
    remediation.steps.forEach((step, index) => expect(guide).toContain(`${index + 1}. ${step}`));
  });

  it.each(THRESHOLD_METRICS)('every metric has something to do next (%s)', (metric) => {
    expect(remediationForMetric(metric).length).toBeGreaterThan(0);
  });

  it("documents the guide's 99.6 example and the rounding", () => {
    expect(guide).toContain('**99.6**');
    expect(guide).toContain('rounded **toward their unhealthy side**');
  });
});
