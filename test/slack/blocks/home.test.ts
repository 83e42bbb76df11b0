import { describe, expect, it } from 'vitest';
import type { AlertState } from '../../../src/alerts/types.ts';
import { UNTIL_RESOLVED } from '../../../src/alerts/types.ts';
import { HOME_MAX_BLOCKS, homeView as buildHomeView } from '../../../src/slack/blocks/home.ts';
import { statusMessage as buildStatusMessage } from '../../../src/slack/blocks/status.ts';
import { integrityCard, nextSlot, type OpsOverview } from '../../../src/slack/overview.ts';
import { checked } from '../../helpers/slack/block-kit.ts';

// Every view and message this file builds is held to Slack's Block Kit rules.
const homeView = checked(buildHomeView);
const statusMessage = checked(buildStatusMessage);

const AT = Date.parse('2026-11-27T10:30:00Z');
const HOUR = 3_600_000;

function alert(index: number, overrides: Partial<AlertState> = {}): AlertState {
  return {
    id: String(index),
    key: `crossGroupViolations|grp_${index}|critical`,
    subject: 'crossGroupViolations',
    groupId: `grp_${index}`,
    severity: 'critical',
    status: 'firing',
    title: 'Cross-group violations',
    details: { unit: 'count', threshold: 'critical when > 0', breakdown: {}, topIssueIds: [], remediation: [] },
    firstFiringAt: AT - HOUR,
    lastEvaluatedAt: AT,
    resolvedAt: null,
    lastValue: 3,
    notifiedAt: AT - HOUR,
    lastReminderAt: null,
    notificationId: '1',
    acknowledgedBy: null,
    acknowledgedAt: null,
    ...overrides,
  };
}

const CARD = integrityCard(
  {
    _id: 's1',
    _creationTime: AT - 8 * HOUR,
    timestamp: AT - 8 * HOUR,
    referentialIntegrityScore: 97.5,
    orphanedConnections: 0,
    crossGroupViolations: 3,
    malformedProperties: 0,
    metadata: {
      orphanedEntityCount: 0,
      missingGroupIds: 12,
      malformedPropertiesPercent: 0,
      schemaComplianceScore: 99,
      eventArchivalProgress: 100,
      invalidMetadataCount: 0,
      status: 'critical',
    },
  },
  { v1MigrationCompleted: false },
);

function overview(overrides: Partial<OpsOverview> = {}): OpsOverview {
  return {
    at: AT,
    integrity: CARD,
    nextCheck: { job: 'daily', at: Date.parse('2026-11-28T02:00:00Z') },
    jobs: [
      {
        job: 'hourly',
        last: { id: 'r1', job: 'hourly', trigger: 'scheduled', scheduledFor: AT, startedAt: AT - 30 * 60_000, finishedAt: AT, outcome: 'succeeded', counts: {}, error: null, instanceId: 'i' },
        nextAt: AT + 30 * 60_000,
      },
      { job: 'daily', last: null, nextAt: Date.parse('2026-11-28T02:00:00Z') },
      { job: 'weekly', last: null, nextAt: null },
      {
        job: 'archival',
        last: { id: 'r2', job: 'archival', trigger: 'manual', scheduledFor: null, startedAt: AT - 2 * HOUR, finishedAt: null, outcome: 'failed', counts: {}, error: 'x', instanceId: 'i' },
        nextAt: null,
      },
    ],
    firing: [alert(1, { acknowledgedBy: 'U0ONCALL1', acknowledgedAt: AT }), alert(2, { severity: 'warning', key: 'k2' })],
    silences: [{ id: '7', subject: 'crossGroupViolations', groupId: '*', severity: 'critical', until: UNTIL_RESOLVED, createdBy: 'U0ONCALL1', reason: 'known', createdAt: AT }],
    migration: { lock: { held: true, holder: 'bot-1', since: AT - HOUR, expiresAt: AT + HOUR }, v1MigrationCompletedAt: null, latestRun: null },
    approvals: [],
    ...overrides,
  };
}

function text(blocks: unknown[]): string {
  return JSON.stringify(blocks);
}

describe('App Home view', () => {
  it('shows the integrity card: status, score, every metric against its threshold, the last and next check', () => {
    const view = homeView(overview());
    expect(view.type).toBe('home');
    const all = text(view.blocks);
    expect(all).toContain(':red_circle: Ontology data quality');
    // The card is a snapshot: its values are labelled with the snapshot's time.
    expect(all).toContain('*Integrity* :red_circle: critical · score *97.50%* · snapshot of <!date^');
    expect(all).toContain('*Cross-group violations* :red_circle:\\n3 (critical when > 0)');
    // Before the v1 migration, missing groupIds are info only.
    expect(all).toContain('*Records missing a groupId* :information_source:\\n12 (info when > 0 until the v1 migration completes)');
    expect(all).toContain('*Referential integrity score* :large_yellow_circle:\\n97.50% (warning when < 99%, critical < 95%)');
    expect(all).toContain('*Event archival progress* :large_green_circle:\\n100.00%');
    expect(all).toContain('Last check <!date^1795746600^{date_short_pretty} {time}|2026-11-27 02:30 UTC> · next daily check <!date^1795831200^{date_short_pretty} {time}|2026-11-28 02:00 UTC>');
  });

  it('lists firing alerts (most severe first, ids, who acknowledged), silences, the jobs and the migration', () => {
    const all = text(homeView(overview()).blocks);
    expect(all).toContain('*Firing alerts (2)*\\n:red_circle: Cross-group violations 3 in group `grp_1` since <!date^1795771800^{date_short_pretty} {time}|2026-11-27 09:30 UTC> · acknowledged by <@U0ONCALL1> · silenced · `1`');
    expect(all).toContain(':large_yellow_circle: Cross-group violations 3 in group `grp_2`');
    expect(all).toContain('`#7` crossGroupViolations every scope critical until resolved by <@U0ONCALL1>: known');
    expect(all).toContain('`hourly` :white_check_mark: succeeded <!date^1795773600^{date_short_pretty} {time}|2026-11-27 10:00 UTC> · next <!date^1795777200^{date_short_pretty} {time}|2026-11-27 11:00 UTC>');
    expect(all).toContain('`daily` never ran · next <!date^1795831200^{date_short_pretty} {time}|2026-11-28 02:00 UTC>');
    expect(all).toContain('`archival` :x: failed <!date^1795768200^{date_short_pretty} {time}|2026-11-27 08:30 UTC>');
    expect(all).toContain(':lock: lock held by `bot-1` since <!date^1795771800^{date_short_pretty} {time}|2026-11-27 09:30 UTC>');
    expect(all).toContain('*Approvals*: nothing is waiting.');
  });

  it('names groups slug first, id after, when their slugs are known', () => {
    const all = text(homeView(overview({ groups: new Map([['grp_1', { id: 'grp_1', slug: 'acme-eu' }]]) })).blocks);
    expect(all).toContain('Cross-group violations 3 in group `acme-eu` (`grp_1`) since');
    expect(all).toContain('Cross-group violations 3 in group `grp_2` since');
  });

  it('puts the approvals the viewer may act on first', () => {
    const approval = { kind: 'migrate' as const, requestedAt: AT, expiresAt: AT + HOUR, approvals: 0, required: 1, message: null, planHash: 'h'.repeat(32), plan: null };
    const all = text(
      homeView(
        overview({
          approvals: [
            { ...approval, id: 'a1', requestedBy: 'U0LEAD001', viewerMayAct: false },
            { ...approval, id: 'a2', requestedBy: 'U0DEV0001', viewerMayAct: true },
          ],
        }),
      ).blocks,
    );
    expect(all).toMatch(/Approvals waiting \(2\)\*".*:point_right: `migrate` requested by <@U0DEV0001>.*you may approve\* · `a2`".*`migrate` requested by <@U0LEAD001>/);
  });

  it("gives each waiting request a link to its message and the request message's Approve / Reject buttons, five at most", () => {
    const approval = { kind: 'migrate' as const, requestedAt: AT, expiresAt: AT + HOUR, approvals: 0, required: 1, planHash: 'h'.repeat(32), plan: null, viewerMayAct: true, requestedBy: 'U0DEV0001' };
    const approvals = Array.from({ length: 7 }, (_, n) => ({ ...approval, id: `apr_${n}`, requestedAt: AT + n, message: n === 0 ? { channel: 'C0APPROVALS', ts: '1700000000.000100' } : null }));
    const view = homeView(overview({ approvals }));
    const actions = (view.blocks as { type: string; block_id?: string; elements?: { action_id: string; value: string; confirm?: unknown }[] }[]).filter((block) => block.block_id?.startsWith('home_approval:'));
    expect(actions.map((block) => block.block_id)).toEqual(['apr_0', 'apr_1', 'apr_2', 'apr_3', 'apr_4'].map((id) => `home_approval:${id}`));
    expect(actions[0]!.elements!.map((element) => element.action_id)).toEqual(['approve_request', 'reject_request']);
    expect(JSON.parse(actions[0]!.elements![0]!.value)).toEqual({ requestId: 'apr_0', planHash: 'h'.repeat(32) });
    expect(actions[0]!.elements![0]!.confirm).toBeDefined();
    const all = text(view.blocks);
    expect(all).toContain('<https://slack.com/archives/C0APPROVALS/p1700000000000100|Open the request>');
    expect(all).toContain('+2 more: `/ontology status` lists them');
  });

  it('says when no check has run yet, and stays within Slack limits with hundreds of firing alerts', () => {
    const many = Array.from({ length: 400 }, (_, index) => alert(index));
    const view = homeView(overview({ integrity: null, firing: many }));
    const all = text(view.blocks);
    expect(all).toContain('no check has run yet');
    expect(all).toContain('+390 more"');
    expect(all).not.toContain('ontology-ops');
    expect(text(homeView(overview({ integrity: null, firing: many, dashboardUrl: 'https://dash.example/ops' })).blocks)).toContain('+390 more: the Dashboard lists them all');
    expect(view.blocks.length).toBeLessThanOrEqual(HOME_MAX_BLOCKS);
    for (const block of view.blocks as { text?: { text: string } }[]) expect((block.text?.text ?? '').length).toBeLessThanOrEqual(3000);
  });
});

describe('/ontology status answer', () => {
  it('leads with the status and says what fires, naming ids for silence and unsilence', () => {
    const message = statusMessage(overview());
    expect(message.text).toBe(':red_circle: Status: critical, integrity 97.50% (snapshot of 2026-11-27 02:30 UTC). 2 alerts firing; 1 silence(s).');
    const all = text(message.blocks!);
    expect(all).toContain('`#7`');
    expect(all).toContain('· `1`');
    expect(message.blocks!.length).toBeLessThanOrEqual(50);
  });

  it('says the migration state could not be read rather than failing', () => {
    expect(text(statusMessage(overview({ migration: null })).blocks!)).toContain('*Migration*: its state could not be read');
  });
});

describe('next check', () => {
  it.each([
    ['the next hour for the hourly job', '0 * * * *', '2026-11-27T11:00:00Z'],
    ['02:00 tomorrow for the daily job', '0 2 * * *', '2026-11-28T02:00:00Z'],
    ['next Monday 06:00 for the weekly job', '0 6 * * 1', '2026-11-30T06:00:00Z'],
  ])('is %s', (_reason, expression, expected) => {
    expect(nextSlot(expression, 'UTC', AT)).toBe(Date.parse(expected));
  });
});

describe('the Dashboard link', () => {
  const URL = 'https://ops.example.com/dashboard/';
  const linkBlocks = (blocks: unknown[]) =>
    blocks.filter((block) => ((block as { elements?: { url?: string }[] }).elements ?? []).some((element) => element.url !== undefined));

  it('is a button under the Home tab header, and at the end of the status answer, when DASHBOARD_URL is set', () => {
    const home = homeView(overview({ dashboardUrl: URL })).blocks;
    expect(linkBlocks(home)).toEqual([{ type: 'actions', block_id: 'overview_links', elements: [expect.objectContaining({ type: 'button', action_id: 'open_dashboard', url: URL })] }]);
    expect(home.indexOf(linkBlocks(home)[0])).toBe(1);
    const status = statusMessage(overview({ dashboardUrl: URL })).blocks!;
    expect(linkBlocks(status)).toHaveLength(1);
    expect(status.at(-1)).toBe(linkBlocks(status)[0]);
  });

  it('is absent when no dashboard is configured', () => {
    for (const blocks of [homeView(overview()).blocks, homeView(overview({ dashboardUrl: null })).blocks, statusMessage(overview()).blocks!]) {
      expect(linkBlocks(blocks)).toEqual([]);
      expect(JSON.stringify(blocks)).not.toContain('open_dashboard');
    }
  });
});
