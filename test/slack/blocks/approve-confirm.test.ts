/**
 * Approve asks first: the button's confirm dialog restates the plan's record counts and the regressions it
 * predicts, within Slack's 300 characters, built by the real builder and carried by the request message the real
 * app posts.
 */
import { describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../../src/approvals/port.ts';
import type { MigrationPlanSummary, RestorePlanSummary, UndoPlanSummary } from '../../../src/approvals/plan.ts';
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

describe('the Approve confirm dialog', () => {
  it('restates the record counts and lists the predicted regression of a migration', () => {
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
    store.close();
  });
});
