import { describe, expect, it } from 'vitest';
import { runWeekly } from '../../monitors/jobs/weekly.ts';
import type { QualitySnapshot } from '../../monitors/ports.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { FakeQuality } from '../helpers/fake-quality.ts';
import { monitorContext } from '../helpers/monitor-context.ts';
import { tempStore } from '../helpers/temp-store.ts';

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
    const scores = [99.9, 99.8, 99.8, 99.6, 99.5, 99.4, 99.2];
    const firstDaily = Date.parse('2026-11-24T02:00:00Z');
    // An older snapshot outside the window must not count.
    await stores.snapshots.saveSnapshots([snapshot(firstDaily - 2 * DAY, null, 50, 0)], firstDaily - 2 * DAY);
    for (let day = 0; day < 7; day++) {
      const at = firstDaily + day * DAY;
      await stores.snapshots.saveSnapshots([snapshot(at, null, scores[day]!, 0), snapshot(at, 'grp_b', 100, day < 5 ? 0 : 2)], at);
    }

    const counts = await runWeekly(context);
    expect(counts).toMatchObject({ snapshots: 14, scopes: 2, declining: 2, decliningPlatform: 1, alerts_post: 2 });

    const summary = notifier.topLevelPosts.find((post) => post.channel === 'C_REPORT')!;
    const blocks = JSON.stringify(summary.blocks);
    expect(summary.text).toContain('Weekly data-quality summary: 1 metric declined platform-wide');
    expect(blocks).toContain('*Referential integrity score*  `█▇▇▅▄▃▁`  99.9% → 99.2% (min 99.2%, max 99.9%)  :warning: declining');
    expect(blocks).toContain('*Schema compliance score*  `▄▄▄▄▄▄▄`  98% → 98% (min 98%, max 98%)  :left_right_arrow: stable');
    expect(blocks).toContain('`grp_b`: Cross-group violations');

    const warnings = notifier.topLevelPosts.filter((post) => post.channel === 'C_WARN').map((post) => post.text);
    expect(warnings).toHaveLength(2);
    expect(warnings.some((text) => text.includes('Referential integrity score declining over 7 days (platform-wide)'))).toBe(true);
    expect(warnings.some((text) => text.includes('Cross-group violations declining over 7 days (group `grp_b`)'))).toBe(true);
    // The warning shows the week in the metric's own unit.
    const platformWarning = notifier.topLevelPosts.find((post) => post.text.includes('Referential integrity score declining'))!;
    expect(JSON.stringify(platformWarning.blocks)).toContain('Daily values `█▇▇▅▄▃▁`: 99.9% → 99.2% (min 99.2%, max 99.9%)');
    expect((await stores.alerts.firingAlerts()).map((alert) => alert.key).sort()).toEqual([
      'trend.crossGroupViolations|grp_b|warning',
      'trend.referentialIntegrityScore|platform|warning',
    ]);
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
