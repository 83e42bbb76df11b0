import { describe, expect, it } from 'vitest';
import { TREND_METRICS, type MetricTrend } from '../../../monitors/trend.ts';
import { CATEGORIES, type Category, type Status } from '../../../src/quality/categories.ts';
import type { MetricsReport } from '../../../src/quality/metrics.ts';
import type { CheckReport } from '../../../src/quality/reports.ts';
import type { QualityIssue } from '../../../src/quality/tally.ts';
import { readingJudged } from '../../../src/quality/severity.ts';
import { DEFAULT_THRESHOLDS, THRESHOLD_METRICS } from '../../../src/quality/thresholds.ts';
import { auditMessage, integrityMessage, metricsMessage, trendMessage, versionsMessage, type NextStep } from '../../../src/slack/blocks/answers.ts';
import { BLOCK_KIT_LIMITS, limitViolations } from '../../../src/slack/blocks/kit.ts';
import type { GroupRef } from '../../../src/slack/group-names.ts';
import type { SlackMessage } from '../../../src/slack/reply.ts';
import { withShareButton } from '../../../src/slack/subcommand.ts';
import { router } from '../../../handlers/commands/index.ts';

const LONG_ID = 'j'.repeat(63);
const HUGE = 9_007_199_254_740_991;
const AT = Date.parse('2026-11-27T12:00:00Z');
/** A slug as long as anyone would type, and an id as long as Convex makes. */
const scope: GroupRef = { id: LONG_ID, slug: 's'.repeat(120) };
const steps: NextStep[] = [
  { label: `Audit ${'x'.repeat(200)}`, command: `audit ${'x'.repeat(3000)}` },
  { label: 'Metrics', command: `metrics ${scope.slug}` },
];
const worst = Object.fromEntries(CATEGORIES.map((category) => [category, 'critical'])) as Record<Category, Status>;

/** The answer as the user gets it: with the Share button a private answer carries (its value the longest command text). */
function asSent(message: SlackMessage): SlackMessage {
  return withShareButton(message, `integrity ${'y'.repeat(1_990)}`);
}

/** Section texts are summarised at whole lines: none ends in a cut (`…` from clipping) and a long list ends in "…and N more". */
function expectWholeLines(message: SlackMessage): void {
  for (const block of (message.blocks ?? []) as { type: string; text?: { text: string } }[]) {
    if (block.type !== 'section' || !block.text) continue;
    expect(block.text.text.length).toBeLessThan(BLOCK_KIT_LIMITS.sectionText);
    expect(block.text.text.endsWith('…')).toBe(false);
  }
}

describe('the largest answers stay inside Block Kit limits', () => {
  it('integrity with 10,000 issues, long ids and slugs, huge counts', () => {
    const issues: QualityIssue[] = Array.from({ length: 10_000 }, (_, index) => ({
      category: CATEGORIES[index % CATEGORIES.length]!,
      severity: 'critical',
      table: 'connections',
      recordId: `${LONG_ID}${index}`,
      groupId: `${LONG_ID}${index % 50}`,
      description: 'x'.repeat(500),
      metadata: {},
    }));
    const groups = new Map(issues.map((issue) => [issue.groupId!, { id: issue.groupId!, slug: 'g'.repeat(120) }]));
    const report: CheckReport = {
      status: 'warning',
      summary: { totalIssues: HUGE, criticalIssues: HUGE, warningIssues: HUGE, infoIssues: HUGE },
      details: { orphanedConnections: HUGE, orphanedKnowledge: HUGE, crossGroupReferences: HUGE, missingGroupIds: HUGE, invalidMetadata: HUGE, malformedProperties: HUGE },
      categoryStatus: worst,
      issues,
    };
    const message = asSent(integrityMessage({
        report,
        scope,
        groups,
        at: AT,
        // Every metric at its widest, all critical, while the check says warning: the longest extra line.
        metrics: { status: 'critical', readings: THRESHOLD_METRICS.map((metric) => readingJudged(metric, HUGE, 'critical')) },
        nextSteps: steps,
      }));
    expect(limitViolations(message)).toEqual([]);
    expectWholeLines(message);
    // Slack already shows the most lines it can: no command lists more there (the CLI does).
    expect(JSON.stringify(message)).toMatch(/…and [\d,]+ more"/);
    expect(JSON.stringify(message)).not.toContain('ontology-ops');
    expect(JSON.stringify(message)).toContain('Metrics of this scope: critical');
  });

  it('metrics with every metric at its widest', () => {
    const report = {
      timestamp: AT,
      groupId: LONG_ID,
      status: 'critical',
      statusByMetric: Object.fromEntries(THRESHOLD_METRICS.map((metric) => [metric, 'critical'])),
      referentialIntegrityScore: 12.3456,
      orphanedEntityCount: HUGE,
      crossGroupViolations: HUGE,
      missingGroupIds: HUGE,
      malformedPropertiesCount: HUGE,
      malformedPropertiesPercent: 99.9999,
      schemaComplianceScore: 0.0001,
      eventArchivalProgress: 0.0001,
      invalidMetadataCount: HUGE,
    } as MetricsReport;
    const message = asSent(metricsMessage({ report, scope, thresholds: DEFAULT_THRESHOLDS, nextSteps: steps }));
    expect(limitViolations(message)).toEqual([]);
  });

  it('audit of an entity with 10,000 events and connections each way, long types', () => {
    const documents = (prefix: string) =>
      Array.from({ length: 10_000 }, (_, index) => ({
        _id: `${prefix}${LONG_ID}${index}`,
        _creationTime: AT,
        type: 't'.repeat(300),
        relationshipType: 'r'.repeat(300),
        timestamp: AT,
        fromEntityId: LONG_ID,
        toEntityId: LONG_ID,
      }));
    const message = asSent(
      auditMessage({
        report: { thingId: LONG_ID, groupId: LONG_ID, thing: { _id: LONG_ID, _creationTime: AT, type: 'z'.repeat(3000), schemaVersion: 1, status: 's'.repeat(3000) }, events: documents('e'), connections: { outgoing: documents('o'), incoming: documents('i') } },
        group: scope,
        nextSteps: steps,
      }),
    );
    expect(limitViolations(message)).toEqual([]);
    expectWholeLines(message);
    // Lists are fetched past the limit: the answer says there are more, without claiming how many.
    expect(JSON.stringify(message)).toContain('*Events, newest first* (more than 10)');
    expect(JSON.stringify(message)).toContain('…and more"');
    expect(JSON.stringify(message)).not.toContain('ontology-ops');
    expect(message.text).toBe(`Entity ${LONG_ID}: events more than 10, outgoing connections more than 10, incoming connections more than 10.`);
  });

  it('versions and a 90-day trend of every metric', () => {
    const versions = asSent(versionsMessage({
        report: { timestamp: AT, v0Entities: HUGE, v1Entities: HUGE, distributionPercentage: { v0: 50, v1: 50 } },
        scope,
        compliance: readingJudged('schemaComplianceScore', 50, 'critical'),
        nextSteps: steps,
      }));
    expect(limitViolations(versions)).toEqual([]);
    const points = Array.from({ length: 90 }, (_, index) => index * 1.2345);
    const times = points.map((_, index) => AT - (89 - index) * 86_400_000);
    const trends: MetricTrend[] = TREND_METRICS.map((metric) => ({ metric, points, times, first: HUGE, last: HUGE, min: HUGE, max: HUGE, trend: 'declining', sparkline: '█'.repeat(90) }));
    const trend = asSent(trendMessage({ scope, days: 90, from: AT - 90 * 86_400_000, to: AT, snapshots: 90, trends, nextSteps: steps }));
    expect(limitViolations(trend)).toEqual([]);
    expectWholeLines(trend);
  });

  it('the usage, bare and with the longest problem', () => {
    expect(limitViolations(router.usage())).toEqual([]);
    expect(limitViolations(router.usage(`Unknown subcommand "${'q'.repeat(3_500)}".`))).toEqual([]);
  });

  it('limitViolations finds each kind of breach (the check itself can fail)', () => {
    const tooMany = { text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) };
    expect(limitViolations(tooMany)).toEqual(['blocks: has 51 blocks (max 50 in a message)']);
    expect(limitViolations({ text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] })).toEqual(['blocks[0] (header).text.text: is 151 characters (max 150)']);
    expect(limitViolations({ text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 's'.repeat(3001) } }] })).toEqual(['blocks[0] (section).text.text: is 3001 characters (max 3000)']);
    expect(limitViolations({ text: 'x', blocks: [{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'b'.repeat(76) }, value: 'v'.repeat(2001) }] }] })).toEqual([
      'blocks[0] (actions).elements[0].text.text: is 76 characters (max 75)',
      'blocks[0] (actions).elements[0].value: is 2001 characters (max 2000)',
    ]);
  });
});
