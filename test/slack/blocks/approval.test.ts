import { describe, expect, it } from 'vitest';
import type { ApprovalRequest, ApprovalState } from '../../../src/approvals/port.ts';
import type { MigrationPlanSummary, RestorePlanSummary } from '../../../src/approvals/plan.ts';
import { APPROVE_ACTION, approvalMessage as buildApprovalMessage, parseButtonValue, REJECT_ACTION, REQUEST_ROLLBACK_ACTION } from '../../../src/slack/blocks/approval.ts';
import { limitViolations } from '../../../src/slack/blocks/kit.ts';
import { checked } from '../../helpers/slack/block-kit.ts';

// Every message this file builds is held to Slack's Block Kit rules.
const approvalMessage = checked(buildApprovalMessage);

const T = Date.parse('2026-11-30T10:00:00Z');
const HUGE = 9_007_199_254_740_991;
const LONG = 'j'.repeat(63);

const migratePlan: MigrationPlanSummary = {
  kind: 'migrate',
  changes: { entities: HUGE, connections: HUGE, events: HUGE, knowledge: HUGE, total: HUGE },
  assignments: Object.fromEntries(Array.from({ length: 40 }, (_, n) => [`source${n}${'x'.repeat(40)}`, HUGE])),
  crossGroupReferencesCreated: { connections: HUGE, events: HUGE, total: HUGE },
  wouldCreateLegacyDefaultGroup: true,
  predicted: { status: 'critical', referentialIntegrityScore: 12.5, missingGroupIds: HUGE, crossGroupViolations: HUGE, schemaComplianceScore: 99.99 },
  backupBytes: HUGE,
  etaSeconds: HUGE,
  blocking: Array.from({ length: 50 }, () => 'y'.repeat(200)),
};

const request = (state: ApprovalState, overrides: Partial<ApprovalRequest> = {}): ApprovalRequest => ({
  id: `apr_${LONG}`,
  kind: 'migrate',
  target: null,
  state,
  requestedBy: `U${LONG}`,
  requestedAt: T,
  expiresAt: T + 3_600_000,
  requiredApprovals: 5,
  approvals: Array.from({ length: 5 }, (_, n) => ({ userId: `U${n}${LONG}`, at: T + n })),
  rejectedBy: state === 'rejected' ? `U${LONG}` : null,
  rejectReason: state === 'rejected' ? 'r'.repeat(200) : null,
  decidedAt: state === 'requested' ? null : T + 10,
  planHash: 'a'.repeat(32),
  plan: migratePlan,
  channel: 'C1',
  messageTs: '1.1',
  runId: state === 'requested' || state === 'approved' ? null : `mig_${LONG}`,
  startedAt: T + 20,
  finishedAt: T + 30,
  error: state === 'failed' ? 'z'.repeat(10_000) : null,
  result: state === 'succeeded' ? { runId: `mig_${LONG}`, message: 'm'.repeat(5_000), validation: Array.from({ length: 100 }, () => 'v'.repeat(100)) } : null,
  parentId: null,
  version: 3,
  ...overrides,
});

function actionIds(blocks: unknown[] | undefined): string[] {
  return ((blocks ?? []) as { type: string; elements?: { action_id: string }[] }[]).filter((block) => block.type === 'actions').flatMap((block) => block.elements!.map((element) => element.action_id));
}

const progress = { runId: `mig_${LONG}`, operation: 'migrate' as const, phase: 'connections' as const, done: HUGE, total: HUGE, ratePerSecond: HUGE, etaSeconds: HUGE, finished: false };

describe('approval message', () => {
  it.each<[ApprovalState, number, string[]]>([
    ['requested', T, [APPROVE_ACTION, REJECT_ACTION]],
    ['requested', T + 3_600_000, [APPROVE_ACTION, REJECT_ACTION]],
    ['expired', T + 3_600_000, [APPROVE_ACTION, REJECT_ACTION]],
    ['approved', T, []],
    ['rejected', T, []],
    ['running', T, []],
    ['succeeded', T, []],
    ['failed', T, [REQUEST_ROLLBACK_ACTION]],
  ])('%s (at %i) stays inside Block Kit limits with the largest values and shows buttons %j', (state, now, buttons) => {
    const message = approvalMessage(request(state), { approvers: Array.from({ length: 30 }, (_, n) => `<@U${n}${LONG}>`), progress }, now);
    expect(limitViolations(message)).toEqual([]);
    expect(actionIds(message.blocks)).toEqual(buttons);
  });

  it('expired buttons say so; open ones carry the request and plan hash', () => {
    const open = approvalMessage(request('requested'), { approvers: [] }, T);
    const expired = approvalMessage(request('expired'), { approvers: [] }, T + 3_600_000);
    expect(JSON.stringify(open.blocks)).not.toContain('(expired)');
    expect(JSON.stringify(expired.blocks)).toContain('Approve (expired)');
    const value = (open.blocks as { type: string; elements?: { value: string }[] }[]).find((block) => block.type === 'actions')!.elements![0]!.value;
    expect(parseButtonValue(value)).toEqual({ requestId: `apr_${LONG}`, planHash: 'a'.repeat(32) });
    expect(parseButtonValue('not json')).toBeNull();
  });

  it('a restore request shows counts and the backup, never record contents', () => {
    const plan: RestorePlanSummary = {
      kind: 'restore',
      backupFile: '/backups/ontology-mig_1.zip',
      backupDocuments: 120,
      backupTables: [{ name: 'entities', documents: 100, sha256: 'f'.repeat(64) }],
      createdSinceBackup: 3,
      changedSinceBackup: 2,
      deletedSinceBackup: 1,
      unchanged: 114,
    };
    const message = approvalMessage(request('requested', { kind: 'rollback', target: 'ontology-mig_1.zip', plan }), { approvers: [] }, T);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('full restore from backup ontology-mig_1.zip');
    expect(text).toMatch(/Lost by the restore:\* 3 records created and 2 changed/);
  });
});
