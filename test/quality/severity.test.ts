/**
 * The one severity model: the guide prints the code's table, every value is written one way, the shown number and
 * its status always agree, and the CLI, Block Kit and the dashboard JSON show each subject with the same title,
 * value, status and rule (over a real seeded SQLite store whose snapshot the real daily job wrote).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { renderMetricsReport } from '../../src/cli/commands/metrics.ts';
import type { IntegrityAnswer } from '../../src/dashboard/types.ts';
import type { Status } from '../../src/quality/categories.ts';
import {
  displayDecimals,
  formatMetric,
  judge,
  reportReadings,
  severityRulesMarkdown,
  STATUS_LOOK,
  SUBJECTS,
  type Subject,
} from '../../src/quality/severity.ts';
import { DEFAULT_THRESHOLDS, resolveThresholds } from '../../src/quality/thresholds.ts';
import { metricsMessage } from '../../src/slack/blocks/answers.ts';
import { stopCheckWorker } from '../../src/store/sqlite/check-scan.ts';
import { dashboardFixture } from '../dashboard/fixture.ts';

afterAll(() => stopCheckWorker());

const GUIDE = readFileSync(fileURLToPath(new URL('../../docs/data-quality-metrics.md', import.meta.url)), 'utf8');

describe('the severity table', () => {
  it('is printed in docs/data-quality-metrics.md exactly as the code renders it', () => {
    expect(GUIDE).toContain(severityRulesMarkdown(DEFAULT_THRESHOLDS));
  });

  it('judges invalid metadata a warning when any, never critical (as the CLI, Slack and alerts all say)', () => {
    expect(judge('invalidMetadataCount', 0, { v1MigrationCompleted: true })).toBe('healthy');
    expect(judge('invalidMetadataCount', 1_000_000, { v1MigrationCompleted: true })).toBe('warning');
  });
});

describe('formatMetric', () => {
  it.each<[Subject, number, string, string]>([
    ['referentialIntegrityScore', 99.6694, '99.66%', 'a score rounds down to its 2 decimals, never looking better'],
    ['referentialIntegrityScore', 9.93, '9.93%', 'the same decimals for every value of a subject'],
    ['schemaComplianceScore', 10, '10.00%', 'trailing zeros kept: decimals are fixed per subject'],
    ['eventArchivalProgress', 6.081, '6.08%', 'no 3-decimal value beside a 2-decimal one'],
    ['malformedPropertiesPercent', 0.0101, '0.02%', 'a share of bad records rounds up (0.0101 is above the 0.01 bound)'],
    ['malformedPropertiesPercent', 0.1 * 3, '0.30%', 'float noise never tips the rounding'],
    ['missingGroupIds', 9727, '9,727', 'counts carry thousands separators'],
    ['invalidMetadataCount', 1_234_567, '1,234,567', 'every count alike'],
  ])('%s %d → %s (%s)', (subject, value, shown) => {
    expect(formatMetric(subject, value)).toBe(shown);
  });

  it('shows a finer bound of a deployment with enough decimals to tell the status', () => {
    const table = resolveThresholds({ referentialIntegrityScore: { healthy: 99.955 } });
    expect(displayDecimals('referentialIntegrityScore', table)).toBe(3);
    expect(formatMetric('referentialIntegrityScore', 99.9549, table)).toBe('99.954%');
  });

  it('never shows a number on the other side of a bound than the value judged', () => {
    const parse = (text: string) => Number(text.replace(/[,%]/g, ''));
    const context = { v1MigrationCompleted: true };
    for (const subject of ['referentialIntegrityScore', 'malformedPropertiesPercent', 'schemaComplianceScore', 'eventArchivalProgress'] as const) {
      const row = DEFAULT_THRESHOLDS[subject];
      for (const bound of [row.healthy, row.warning!]) {
        for (let step = -50; step <= 50; step++) {
          const value = Math.round((bound + step / 10_000) * 10_000) / 10_000;
          if (value < 0) continue;
          const shown = parse(formatMetric(subject, value));
          expect(judge(subject, shown, context), `${subject} ${value} shown as ${shown}`).toBe(judge(subject, value, context));
        }
      }
    }
  });
});

/** Rows of the CLI table: `│ title │ value │ symbol status │ rule │`. */
function cliRows(text: string): { title: string; display: string; status: Status; rule: string }[] {
  const rows: { title: string; display: string; status: Status; rule: string }[] = [];
  for (const line of text.split('\n')) {
    const cells = line.split('│').slice(1, -1).map((cell) => cell.trim());
    if (cells.length !== 4 || cells[0] === 'Metric') continue;
    const status = (Object.keys(STATUS_LOOK) as Status[]).find((name) => cells[2] === `${STATUS_LOOK[name].symbol} ${name}`)!;
    rows.push({ title: cells[0]!, display: cells[1]!, status, rule: cells[3]! });
  }
  return rows;
}

/** Fields of the Block Kit answer: `*title*\n:emoji: value (rule)`. */
function blockRows(blocks: unknown[]): { title: string; display: string; status: Status; rule: string }[] {
  const fields = (blocks as { fields?: { text: string }[] }[]).flatMap((block) => block.fields ?? []);
  return fields.map((field) => {
    const match = /^\*(.+)\*\n(:[a-z_]+:) (\S+) \((.+)\)$/.exec(field.text)!;
    const status = (Object.keys(STATUS_LOOK) as Status[]).find((name) => STATUS_LOOK[name].emoji === match[2])!;
    return { title: match[1]!, display: match[3]!, status, rule: match[4]! };
  });
}

describe('every surface renders the severity table alike', () => {
  it('the CLI, the Block Kit metrics answer and the dashboard JSON show each subject with the same title, value, status and rule', async () => {
    const { get, backend, config } = await dashboardFixture();
    const { body } = await get<IntegrityAnswer>('integrity');
    const card = body.card!;
    // The data has not changed since the daily run: the metrics at the snapshot's instant are the snapshot's.
    const report = await backend.quality.metrics({ now: card.checkedAt });
    const thresholds = config.alerts.thresholds;

    const expected = reportReadings(report, thresholds).map(({ title, display, status, rule }) => ({ title, display, status, rule }));
    expect(expected.map((row) => row.title)).toHaveLength(SUBJECTS.length);
    // Not all healthy: the comparison covers more than one status.
    expect(new Set(expected.map((row) => row.status)).size).toBeGreaterThan(1);

    expect(cliRows(renderMetricsReport(report, thresholds))).toEqual(expected);
    expect(blockRows(metricsMessage({ report, scope: null, thresholds, nextSteps: [] }).blocks as unknown[])).toEqual(expected);
    expect(card.metrics.map((metric) => ({ title: metric.title, display: metric.display, status: metric.status, rule: metric.threshold }))).toEqual(expected);
    // The card's own status is the report's: the worst of the metrics it shows with a threshold row.
    const order: Status[] = ['healthy', 'info', 'warning', 'critical'];
    const thresholded = card.metrics.filter((metric) => metric.metric !== 'invalidMetadataCount');
    expect(card.status).toBe(order[Math.max(...thresholded.map((metric) => order.indexOf(metric.status)))]);
    expect(card.status).toBe(report.status);
  });
});
