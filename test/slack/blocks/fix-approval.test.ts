/** The approval message and confirm dialog of a fix request: counts, metrics before → after, escaped, valid Block Kit. */
import { describe, expect, it } from 'vitest';
import type { FixPlanSummary } from '../../../src/approvals/plan.ts';
import type { ApprovalRequest } from '../../../src/approvals/port.ts';
import { APPROVE_ACTION, approvalMessage as buildApprovalMessage, approveConfirmText, requestCommand, requestTitle } from '../../../src/slack/blocks/approval.ts';
import { checked } from '../../helpers/slack/block-kit.ts';

const approvalMessage = checked(buildApprovalMessage);
const T = Date.parse('2026-11-30T10:00:00Z');

const fixPlan = (overrides: Partial<FixPlanSummary> = {}): FixPlanSummary => ({
  kind: 'fix',
  fix: 'orphans',
  groupId: 'g<1>',
  counts: { connections: 2, knowledge: 1 },
  total: 3,
  changes: [{ metric: 'orphanedEntityCount', before: 3, after: 0 }],
  regressions: [],
  refused: null,
  recordsHash: 'b'.repeat(32),
  ...overrides,
});

const request = (plan: FixPlanSummary, state: ApprovalRequest['state'] = 'requested'): ApprovalRequest => ({
  id: 'apr_1',
  kind: 'fix',
  target: 'orphans:g<1>',
  state,
  requestedBy: 'U0ALICE',
  requestedAt: T,
  expiresAt: T + 3_600_000,
  requiredApprovals: 2,
  approvals: [],
  rejectedBy: null,
  rejectReason: null,
  decidedAt: null,
  planHash: 'a'.repeat(32),
  plan,
  channel: 'C1',
  messageTs: '1.1',
  runId: null,
  startedAt: null,
  finishedAt: null,
  error: null,
  result: null,
  parentId: null,
  version: 1,
});

describe('a fix request', () => {
  it('names the fix and its group, and asks again with the same /ontology fix command', () => {
    expect(requestTitle(request(fixPlan()))).toBe('fix orphans of group g<1>');
    expect(requestCommand(request(fixPlan()))).toBe('/ontology fix orphans g<1>');
  });

  it('shows the counts and metric changes escaped, with an Approve confirm restating them', () => {
    const message = approvalMessage(request(fixPlan()), { approvers: ['<@U0BOB>'] }, T);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('*Records to change:* 3 (connections 2, knowledge 1)');
    expect(text).toContain('orphanedEntityCount 3 → 0');
    expect(text).toContain('*Scope:* group `g&lt;1&gt;`');
    expect(text).toContain('undone exactly with `/ontology rollback &lt;runId&gt;`');
    expect(text).not.toContain('ontology-ops');
    const approve = (message.blocks as { elements?: { action_id: string; confirm?: { text: { text: string } } }[] }[])
      .flatMap((block) => block.elements ?? [])
      .find((element) => element.action_id === APPROVE_ACTION);
    expect(approve?.confirm?.text.text).toBe('Fix orphans: change 3 records in 2 tables (connections 2, knowledge 1), with a backup first. No metric is predicted to get worse.');
  });

  it('names the regressions of a plan that would make a metric worse', () => {
    const plan = fixPlan({ regressions: ['invalidMetadataCount'], refused: 'it would make invalidMetadataCount worse (0 → 1)' });
    expect(approveConfirmText(plan)).toContain('Predicted to get worse: invalidMetadataCount.');
    expect(JSON.stringify(approvalMessage(request(plan), { approvers: [] }, T).blocks)).toContain(':warning: *Refused:* it would make invalidMetadataCount worse (0 → 1)');
  });
});
