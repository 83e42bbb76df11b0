import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWeekly } from '../../monitors/jobs/weekly.ts';
import { ConsoleNotifier } from '../../src/alerts/console-notifier.ts';
import { chartHeight, WEEKLY_CHART_LAYOUT } from '../../src/slack/charts/weekly-chart.ts';
import { decodePng } from '../helpers/png.ts';
import type { QualitySnapshot } from '../../monitors/ports.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { FakeQuality } from '../helpers/fake-quality.ts';
import { monitorContext } from '../helpers/monitor-context.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';

const DAY = 86_400_000;

function snapshot(timestamp: number, groupId: string | null, score: number, crossGroup: number): Omit<QualitySnapshot, '_id' | '_creationTime'> {
  return {
    timestamp,
    ...(groupId ? { groupId } : {}),
    referentialIntegrityScore: score,
    orphanedConnections: 0,
    crossGroupViolations: crossGroup,
    malformedProperties: 0,
    metadata: {
      orphanedEntityCount: 0,
      missingGroupIds: 0,
      malformedPropertiesPercent: 0,
      schemaComplianceScore: 98,
      eventArchivalProgress: 95,
      invalidMetadataCount: 0,
      status: 'healthy',
    },
  };
}

describe('weekly job', () => {
  it('summarises the last 7 daily snapshots to the reports channel and warns about declining metrics', async () => {
    const { store } = tempStore();
    const clock = new FakeClock('2026-11-30T06:00:00Z'); // Monday
    const { context, notifier, stores } = monitorContext(store, clock, new FakeQuality());
    // The declining group is named by slug and name (escaped), id after.
    const beta = String((await store.insert('groups', { slug: 'beta-co', name: 'Beta <B&Co>', type: 'organization' }))._id);
    const scores = [99.9, 99.8, 99.8, 99.6, 99.5, 99.4, 99.2];
    const firstDaily = Date.parse('2026-11-24T02:00:00Z');
    // An older snapshot outside the window must not count.
    await stores.snapshots.saveSnapshots([snapshot(firstDaily - 2 * DAY, null, 50, 0)], firstDaily - 2 * DAY);
    for (let day = 0; day < 7; day++) {
      const at = firstDaily + day * DAY;
      await stores.snapshots.saveSnapshots([snapshot(at, null, scores[day]!, 0), snapshot(at, beta, 100, day < 5 ? 0 : 2)], at);
    }

    const counts = await runWeekly(context);
    expect(counts).toMatchObject({ snapshots: 14, scopes: 2, declining: 2, decliningPlatform: 1, alerts_post: 2 });

    const summary = notifier.topLevelPosts.find((post) => post.channel === 'C_REPORT')!;
    const blocks = JSON.stringify(summary.blocks);
    expect(summary.text).toContain('Weekly data-quality summary: 1 metric declined platform-wide');
    // Every value as the severity model writes it: fixed decimals per metric.
    expect(blocks).toContain('*Referential integrity score*  `█▇▇▅▄▃▁`  99.90% → 99.20% (min 99.20%, max 99.90%)  :warning: declining');
    expect(blocks).toContain('*Schema compliance score*  `▄▄▄▄▄▄▄`  98.00% → 98.00% (min 98.00%, max 98.00%)  :left_right_arrow: stable');
    expect(blocks).toContain(`\`beta-co\` Beta &lt;B&amp;Co&gt; (\`${beta}\`): Cross-group violations`);

    const warnings = notifier.topLevelPosts.filter((post) => post.channel === 'C_WARN').map((post) => post.text);
    expect(warnings).toHaveLength(2);
    expect(warnings.some((text) => text.includes('Referential integrity score declining over 7 days (platform-wide)'))).toBe(true);
    expect(warnings.some((text) => text.includes('Cross-group violations declining over 7 days (group `beta-co` Beta &lt;B&amp;Co&gt; (`' + beta + '`))'))).toBe(true);
    // The warning shows the week in the metric's own unit.
    const platformWarning = notifier.topLevelPosts.find((post) => post.text.includes('Referential integrity score declining'))!;
    expect(JSON.stringify(platformWarning.blocks)).toContain('Daily values `█▇▇▅▄▃▁`: 99.90% → 99.20% (min 99.20%, max 99.90%)');
    expect((await stores.alerts.firingAlerts()).map((alert) => alert.key).sort()).toEqual([
      `trend.crossGroupViolations|${beta}|warning`,
      'trend.referentialIntegrityScore|platform|warning',
    ]);
  });

  it('uploads a PNG chart of the week right after the summary, in the reports channel', async () => {
    const { store } = tempStore();
    const clock = new FakeClock('2026-11-30T06:00:00Z');
    const { context, notifier, stores } = monitorContext(store, clock, new FakeQuality());
    const firstDaily = Date.parse('2026-11-24T02:00:00Z');
    for (let day = 0; day < 7; day++) {
      const at = firstDaily + day * DAY;
      await stores.snapshots.saveSnapshots([snapshot(at, null, 99.9 - day / 10, 0), snapshot(at, 'grp_b', 100, 0)], at);
    }

    expect(await runWeekly(context)).toMatchObject({ chart: 1 });

    const reports = notifier.sent.filter((message) => message.channel === 'C_REPORT');
    expect(reports.map((message) => message.kind)).toEqual(['post', 'upload']);
    const [upload] = notifier.uploads;
    expect(upload!.text).toBe('Weekly data-quality chart, 2026-11-23 06:00 UTC → 2026-11-30 06:00 UTC: each metric by day, with its threshold lines');
    expect(upload!.file).toMatchObject({ filename: 'data-quality-week-2026-11-30.png', title: 'Data quality, week to 2026-11-30' });
    expect(upload!.file!.altText).toContain('8 platform-wide data-quality metrics');
    // Seven thresholded metrics and invalid metadata: eight panels, two rows.
    const image = decodePng(upload!.file!.content);
    expect([image.width, image.height]).toEqual([WEEKLY_CHART_LAYOUT.width, chartHeight(8)]);
    // The summary keeps its sparklines for clients without images.
    expect(JSON.stringify(reports[0]!.blocks)).toContain('`█▇▆▅▃▂▁`');
  });

  it('writes the chart to a file whose path the console notifier prints, when there is no Slack token', async () => {
    const { store } = tempStore();
    const clock = new FakeClock('2026-11-30T06:00:00Z');
    const dir = tempDir();
    const lines: string[] = [];
    const recorded = monitorContext(store, clock, new FakeQuality());
    const { stores } = recorded;
    const context = { ...recorded.context, notifier: new ConsoleNotifier((line) => lines.push(line), clock.now, dir) };
    await stores.snapshots.saveSnapshots([snapshot(Date.parse('2026-11-29T02:00:00Z'), null, 99.5, 0)], Date.parse('2026-11-29T02:00:00Z'));

    await runWeekly(context);

    const [name] = readdirSync(dir);
    expect(name).toMatch(/^\d+-\d+-data-quality-week-2026-11-30\.png$/);
    expect(lines).toContainEqual(expect.stringContaining(`[#C_REPORT file] Weekly data-quality chart`));
    expect(lines).toContainEqual(expect.stringContaining(join(dir, name!)));
    expect(decodePng(new Uint8Array(readFileSync(join(dir, name!)))).width).toBe(WEEKLY_CHART_LAYOUT.width);
  });

  it('posts a short summary when there are no snapshots, and raises nothing', async () => {
    const { store } = tempStore();
    const clock = new FakeClock('2026-11-30T06:00:00Z');
    const { context, notifier } = monitorContext(store, clock, new FakeQuality());
    expect(await runWeekly(context)).toMatchObject({ snapshots: 0, declining: 0 });
    expect(notifier.sent.map((message) => [message.channel, message.text])).toEqual([
      ['C_REPORT', 'Weekly data-quality summary: no daily snapshots in the last 7 days. '],
    ]);
  });
});
