/** Alert inputs shared by the alert, Slack and monitor-store tests. */
import type { Signal } from '../../src/alerts/types.ts';
import type { AlertsConfig } from '../../src/config.ts';
import { DEFAULT_THRESHOLDS } from '../../src/quality/thresholds.ts';

const HOUR = 3_600_000;

/** A firing platform-wide critical cross-group signal (value 3); override any field. */
export function crossGroupSignal(overrides: Partial<Signal> = {}): Signal {
  return {
    subject: 'crossGroupViolations',
    groupId: null,
    severity: 'critical',
    title: 'Cross-group violations',
    value: 3,
    unit: 'count',
    threshold: 'critical when > 0',
    breakdown: {},
    topIssueIds: [],
    remediation: [],
    ...overrides,
  };
}

/** Alert routing as the tests use it: three channels, no on-call mention, 4 h reminders, default thresholds. */
export function testAlertsConfig(overrides: Partial<AlertsConfig> = {}): AlertsConfig {
  return {
    channels: { critical: 'C_CRIT', warning: 'C_WARN', report: 'C_REPORT' },
    oncallUsergroup: null,
    repeatIntervalMs: 4 * HOUR,
    thresholds: DEFAULT_THRESHOLDS,
    ...overrides,
  };
}
