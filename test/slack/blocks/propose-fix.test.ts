/** The "Propose fix" button of an alert for which a fix exists, and the scope its request names. */
import { describe, expect, it } from 'vitest';
import { ALERT_ACTION_IDS, notificationMessage as buildNotificationMessage, proposedFixTarget, type MemberView, type NotificationView } from '../../../src/slack/blocks/alert.ts';
import { checked } from '../../helpers/slack/block-kit.ts';

const notificationMessage = checked(buildNotificationMessage);
const AT = Date.parse('2026-11-27T10:00:00Z');

function member(groupId: string | null, state: MemberView['state'] = 'firing'): MemberView {
  return { key: `orphanedEntityCount|${groupId ?? 'platform'}|critical`, groupId, value: 3, previous: null, firstFiringAt: AT, state, resolvedAt: null, acknowledgedBy: null, topIssueIds: [], breakdown: {}, note: null };
}

function view(subject: string, members: MemberView[], resolvedAt: number | null = null): NotificationView {
  return { key: `${subject}|critical|C_CRIT`, subject, title: 'Orphaned references', severity: 'critical', unit: 'count', threshold: 'critical when > 0', remediation: [], mention: null, source: 'hourly', at: AT, openedAt: AT, resolvedAt, members };
}

function proposeButton(message: { blocks?: unknown[] }): { value: string; text: { text: string } } | undefined {
  for (const block of (message.blocks ?? []) as { type: string; elements?: { action_id?: string; value: string; text: { text: string } }[] }[]) {
    const found = block.elements?.find((element) => element.action_id === ALERT_ACTION_IDS.proposeFix);
    if (found) return found;
  }
  return undefined;
}

describe('Propose fix', () => {
  it.each([
    ['one group firing: that group', [member('g1')], 'orphans:g1'],
    ['platform-wide: every group', [member(null)], 'orphans'],
    ['several groups: every group', [member('g1'), member('g2')], 'orphans'],
    ['nothing firing: no button', [member('g1', 'silenced')], null],
  ])('orphaned references, %s', (_case, members, target) => {
    expect(proposedFixTarget('orphanedEntityCount', members.filter((m) => m.state === 'firing'))).toBe(target);
    const button = proposeButton(notificationMessage(view('orphanedEntityCount', members)));
    if (target === null) expect(button).toBeUndefined();
    else expect(button).toMatchObject({ value: target, text: { text: 'Propose fix' } });
  });

  it('is not on alerts without a fix, nor on resolved ones', () => {
    expect(proposeButton(notificationMessage(view('missingGroupIds', [member('g1')])))).toBeUndefined();
    expect(proposeButton(notificationMessage(view('orphanedEntityCount', [member('g1', 'resolved')], AT + 1)))).toBeUndefined();
  });
});
