/**
 * Approve asks first: the button's confirm dialog restates the plan's record counts and the regressions it
 * predicts, within Slack's 300 characters, built by the real builder and carried by the request message the real
 * app posts.
 */
import { describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../../src/approvals/port.ts';
import type { MigrationPlanSummary, RestorePlanSummary, UndoPlanSummary } from '../../../src/approvals/plan.ts';
import type { MetricChange } from '../../../src/quality/regressions.ts';
import { APPROVE_ACTION, approvalMessage as buildApprovalMessage, approveConfirmText, predictedRegressions } from '../../../src/slack/blocks/approval.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { APPROVAL_T0, seededBackend } from '../../helpers/approvals.ts';
import { requestVia, startApprovalApp } from '../../helpers/slack/approval-flow.ts';
import { checked } from '../../helpers/slack/block-kit.ts';

const approvalMessage = checked(buildApprovalMessage);
const T = Date.parse('2026-11-30T10:00:00Z');

const migratePlan = (overrides: Partial<MigrationPlanSummary> = {}): MigrationPlanSummary => ({
  kind: 'migrate',
  changes: { entities: 5_000, connections: 3_000, events: 1_727, knowledge: 0, total: 9_727 },
  assignments: { entity: 9_727 },
  crossGroupReferencesCreated: { connections: 10, events: 2, total: 12 },
  wouldCreateLegacyDefaultGroup: false,
  predicted: { status: 'warning', referentialIntegrityScore: 99.5, missingGroupIds: 0, crossGroupViolations: 12, schemaComplianceScore: 100 },
  backupBytes: 1_000_000,
  etaSeconds: 30,
  blocking: [],
  ...overrides,
});

type Button = { action_id: string; confirm?: { title: { text: string }; text: { type: string; text: string }; confirm: { text: string }; deny: { text: string } } };
function approveButton(blocks: unknown): Button | undefined {
  return ((blocks ?? []) as { elements?: Button[] }[]).flatMap((block) => block.elements ?? []).find((element) => element.action_id === APPROVE_ACTION);
}

const request = (overrides: Partial<ApprovalRequest>): ApprovalRequest => ({
  id: 'apr_1',
  kind: 'migrate',
  target: null,
  state: 'requested',
  requestedBy: 'U0ALICE',
  requestedAt: T,
  expiresAt: T + 3_600_000,
  requiredApprovals: 1,
  approvals: [],
  rejectedBy: null,
  rejectReason: null,
  decidedAt: null,
  planHash: 'a'.repeat(32),
  plan: migratePlan(),
  channel: 'C1',
  messageTs: '1.1',
  runId: null,
  startedAt: null,
  finishedAt: null,
  error: null,
  result: null,
  parentId: null,
  version: 1,
  ...overrides,
});

/** The change the demo migration makes to one metric, as a plan stores it. */
const change = (metric: MetricChange['metric'], title: string, unit: MetricChange['unit'], before: number, after: number, beforeStatus: MetricChange['beforeStatus'], afterStatus: MetricChange['afterStatus']): MetricChange => ({
  metric,
  title,
  unit,
  before,
  after,
  change: after - before,
  beforeStatus,
  afterStatus,
  worse: true,
});

/** The demo store's plan (`npm start`): what the migration makes worse, and why. */
const DEMO_REGRESSIONS: MigrationPlanSummary['regressions'] = {
  worsened: [
    change('referentialIntegrityScore', 'Referential integrity score', 'percent', 99.6675, 75.1385, 'healthy', 'critical'),
    change('crossGroupViolations', 'Cross-group violations', 'count', 8, 1_797, 'critical', 'critical'),
  ],
  cause: { connections: 1_328, events: 461, total: 1_789, into: 'legacy-default', byGroup: [{ groupId: 'g1', slug: '<!channel>', connections: 1_328, events: 461 }] },
};
const demoPlan = () =>
  migratePlan({ changes: { entities: 1_977, connections: 4_750, events: 2_500, knowledge: 500, total: 9_727 }, crossGroupReferencesCreated: { connections: 1_328, events: 461, total: 1_789 }, regressions: DEMO_REGRESSIONS });

describe('the Approve confirm dialog', () => {
  it('lists the regressions the plan predicts, before → after, and the references behind them, within 300 characters', () => {
    const text = approveConfirmText(demoPlan());
    expect(text).toBe(
      'Migrate 9,727 records in 4 tables (entities 1,977, connections 4,750, events 2,500, knowledge 500), with a backup first. ' +
        'Predicted to get worse: Referential integrity score 99.67% → 75.14% (healthy → critical); Cross-group violations 8 → 1,797. ' +
        'Cause: 1,789 cross-group references created.',
    );
    expect(text.length).toBeLessThanOrEqual(300);
    // The request message's Approve button carries it, and Slack would accept the message (checked builder).
    expect(approveButton(approvalMessage(request({ plan: demoPlan() }), { approvers: [] }, T).blocks)?.confirm?.text.text).toBe(text);
  });

  it('lists as many regressions as fit and counts the rest', () => {
    const many = Array.from({ length: 9 }, (_, index) => change('invalidMetadataCount', `Metric number ${index}`, 'count', 1_000_000 * index, 1_000_000 * index + 999_999, null, null));
    const text = approveConfirmText(migratePlan({ regressions: { worsened: many, cause: null } }));
    expect(text.length).toBeLessThanOrEqual(300);
    expect(text).toMatch(/^Migrate 9,727 records .*\. Predicted to get worse: Metric number 0 0 → 999,999; .*; \d more\.$/);
  });

  it('the request message highlights each regression and its cause, escaped', () => {
    const message = approvalMessage(request({ plan: demoPlan() }), { approvers: [] }, T);
    const shown = JSON.stringify(message.blocks);
    expect(shown).toContain(':warning: *Referential integrity score* 99.67% → 75.14% (healthy → critical)');
    expect(shown).toContain(':warning: *Cross-group violations* 8 → 1,797');
    expect(shown).toContain(':warning: *Cause:* 1,789 cross-group references: 1,328 connections, 461 events to entities in legacy-default (from &lt;!channel&gt; 1,789)');
    expect(shown).not.toContain('<!channel>');
  });

  it('a succeeded run that made metrics worse says so in its header and names the next step and Request rollback', () => {
    const outcome = (cause: boolean) => ({ runId: 'mig_1', message: 'Migration mig_1 completed with regressions.', regressions: { ...DEMO_REGRESSIONS!, cause: cause ? DEMO_REGRESSIONS!.cause : null } });
    const done = (cause: boolean) => approvalMessage(request({ plan: demoPlan(), state: 'succeeded', runId: 'mig_1', finishedAt: T, result: outcome(cause) }), { approvers: [] }, T);
    const withCause = done(true);
    expect(withCause.text).toBe('Succeeded with regressions: v1 groupId migration (request apr_1)');
    const shown = JSON.stringify(withCause.blocks);
    expect(shown).toContain(':warning: Succeeded with regressions: v1 groupId migration');
    expect(shown).toContain('*Next:* review the cross-group references with `/ontology integrity`, or undo the run: *Request rollback* below (or `/ontology rollback mig_1`).');
    expect(shown).toContain('"action_id":"request_rollback"');
    // Without a known cause the metrics are what to review.
    expect(JSON.stringify(done(false).blocks)).toContain('*Next:* review the metrics with `/ontology metrics`');
    // Without regressions it is a plain success, with no rollback offered.
    const plain = approvalMessage(request({ plan: demoPlan(), state: 'succeeded', runId: 'mig_1', finishedAt: T, result: { runId: 'mig_1', message: 'Migration mig_1 completed.' } }), { approvers: [] }, T);
    expect(plain.text).toBe('Succeeded: v1 groupId migration (request apr_1)');
    expect(JSON.stringify(plain.blocks)).not.toContain('request_rollback');
  });

  it('restates the record counts and, for a plan stored before regressions were kept, the references it would create', () => {
    const text = approveConfirmText(migratePlan());
    expect(text).toBe(
      'Migrate 9,727 records in 3 tables (entities 5,000, connections 3,000, events 1,727), with a backup first. ' +
        'Predicted to get worse: cross-group references +12 (connections 10, events 2).',
    );
    const none = migratePlan({ crossGroupReferencesCreated: { connections: 0, events: 0, total: 0 }, backupBytes: 0 });
    expect(predictedRegressions(none)).toEqual([]);
    expect(approveConfirmText(none)).toBe('Migrate 9,727 records in 3 tables (entities 5,000, connections 3,000, events 1,727), with no backup. No metric is predicted to get worse.');
  });

  it('restates an undo and a restore, and stays within 300 characters at whole sentences with huge counts', () => {
    const undo: UndoPlanSummary = { kind: 'undo', runId: 'mig_42', entries: 1_200, reverted: 1_190, partial: 4, conflicts: 6, missing: 0, byTable: { entities: 700, connections: 500 }, alreadyUndone: false };
    expect(approveConfirmText(undo)).toBe('Undo run mig_42: revert 1,190 of 1,200 journal entries in 2 tables (entities 700, connections 500). Partly reverted 4, conflicts 6, missing 0.');
    const restore: RestorePlanSummary = { kind: 'restore', backupFile: 'b.json', backupDocuments: 80_000, backupTables: [], createdSinceBackup: 3, changedSinceBackup: 5, deletedSinceBackup: 2, unchanged: 79_990 };
    expect(approveConfirmText(restore)).toBe("Replace the data with the backup's 80,000 documents: 3 records created and 5 changed since the backup are lost, 2 come back.");
    const HUGE = 9_007_199_254_740_991;
    const huge = approveConfirmText(migratePlan({ changes: { entities: HUGE, connections: HUGE, events: HUGE, knowledge: HUGE, total: HUGE }, crossGroupReferencesCreated: { connections: HUGE, events: HUGE, total: HUGE } }));
    expect(huge.length).toBeLessThanOrEqual(300);
    expect(huge).toMatch(/^Migrate 9,007,199,254,740,991 records in 4 tables .*\.( Predicted to get worse: .*\.)?$/);
  });

  it('is on the Approve button of an open request (valid Block Kit), not on an expired one', () => {
    const open = approveButton(approvalMessage(request({}), { approvers: [] }, T).blocks);
    expect(open?.confirm).toEqual({
      title: { type: 'plain_text', text: 'Approve and run?' },
      text: { type: 'plain_text', text: approveConfirmText(migratePlan()) },
      confirm: { type: 'plain_text', text: 'Approve' },
      deny: { type: 'plain_text', text: 'Cancel' },
    });
    const expired = approveButton(approvalMessage(request({}), { approvers: [] }, T + 3_600_001).blocks);
    expect(expired).toBeDefined();
    expect(expired?.confirm).toBeUndefined();
  });

  it('the request message the app posts for /ontology migrate asks with the counts of its stored plan', async () => {
    const { backend, store } = await seededBackend();
    const harness = await startApprovalApp({ backend, clock: new FakeClock(APPROVAL_T0) });
    const { post, request: stored } = await requestVia(harness, backend, 'migrate');
    const plan = stored!.plan as MigrationPlanSummary;
    expect(plan.changes.total).toBeGreaterThan(0);
    const confirm = approveButton(post!.params.blocks)!.confirm!;
    expect(confirm.text.text).toContain(`Migrate ${plan.changes.total.toLocaleString('en-US')} records in `);
    expect(confirm.text.text).toBe(approveConfirmText(plan));
    expect(confirm.text.text.length).toBeLessThanOrEqual(300);
    // The stored plan holds the regressions of the dry run the request was made from, and the dialog names them.
    expect(plan.regressions?.worsened.map((change) => change.metric)).toEqual(['referentialIntegrityScore', 'crossGroupViolations']);
    expect(confirm.text.text).toMatch(/Predicted to get worse: Referential integrity score [\d.]+% → [\d.]+%; Cross-group violations 0 → 5 \(healthy → critical\)\. Cause: 5 cross-group references created\.$/);
    store.close();
  });
});
