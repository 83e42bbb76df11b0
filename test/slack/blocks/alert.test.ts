import { describe, expect, it } from 'vitest';
import {
  LIST_COMMAND,
  notificationMessage as buildNotificationMessage,
  reminderMessage as buildReminderMessage,
  resolvedReply as buildResolvedReply,
  shownSignature,
  type MemberView,
  type NotificationView,
} from '../../../src/slack/blocks/alert.ts';
import { checked } from '../../helpers/slack/block-kit.ts';

// Every message this file builds is held to Slack's Block Kit rules.
const notificationMessage = checked(buildNotificationMessage);
const reminderMessage = checked(buildReminderMessage);
const resolvedReply = checked(buildResolvedReply);

const AT = Date.parse('2026-11-27T10:00:00Z');
const HOUR = 3_600_000;

function member(groupId: string | null, overrides: Partial<MemberView> = {}): MemberView {
  return {
    key: `crossGroupViolations|${groupId ?? 'platform'}|critical`,
    groupId,
    value: 3,
    previous: null,
    firstFiringAt: AT - HOUR,
    state: 'firing',
    resolvedAt: null,
    acknowledgedBy: null,
    topIssueIds: [`conn_${groupId ?? 'platform'}`],
    breakdown: {},
    note: null,
    ...overrides,
  };
}

/** A realistic Convex group id (32 characters), so length limits are exercised with real sizes. */
function groupId(index: number): string {
  return `j57${String(index).padStart(29, '0')}`;
}

function view(members: MemberView[], overrides: Partial<NotificationView> = {}): NotificationView {
  return {
    subject: 'crossGroupViolations',
    title: 'Cross-group violations',
    severity: 'critical',
    unit: 'count',
    threshold: 'critical when > 0',
    remediation: ['Notify security.', 'Find the writer that crossed groups.', 'Fix the records.'],
    mention: '<!subteam^S0ONCALL>',
    source: 'daily',
    at: AT,
    openedAt: AT - HOUR,
    resolvedAt: null,
    members,
    ...overrides,
  };
}

function texts(blocks: unknown[]): string[] {
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (typeof record.text === 'string') found.push(record.text);
      Object.values(record).forEach(walk);
    }
  };
  walk(blocks);
  return found;
}

describe('notification message blocks', () => {
  it.each([
    [0, 'platform only'],
    [1, 'platform and one group'],
    [14, 'platform and as many groups as are listed by name'],
    [15, 'one group more than listed: "+1 more group"'],
    [60, 'many groups: "+46 more groups"'],
    [5_000, 'a huge tenant count still fits Block Kit'],
  ])('stays inside Block Kit limits with %i groups (%s)', (groups, _reason) => {
    const members = [member(null), ...Array.from({ length: groups }, (_, index) => member(groupId(index), { value: index + 1 }))];
    const silenced = Array.from({ length: groups }, (_, index) => member(`s${groupId(index)}`, { state: 'silenced' }));
    const resolved = Array.from({ length: groups }, (_, index) => member(`r${groupId(index)}`, { state: 'resolved', resolvedAt: AT }));
    const message = notificationMessage(view([...members, ...silenced, ...resolved]));
    const blocks = message.blocks!;
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(message.text.length).toBeLessThanOrEqual(3000);
    for (const text of texts(blocks)) expect(text.length).toBeLessThanOrEqual(3000);
    const header = blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    const firing = texts(blocks).find((text) => text.startsWith('*Firing ('))!;
    expect(firing.split('\n')[1]).toBe('*Platform-wide*: 3');
    if (groups > 14) {
      const more = groups - 14;
      expect(firing).toContain(`+${more} more group${more === 1 ? '' : 's'}: \`${LIST_COMMAND}\` lists the firing scopes`);
    } else {
      expect(firing).not.toContain('more group');
    }
  });

  it('lists members platform first, says what changed, and names top ids and steps once', () => {
    const message = notificationMessage(
      view([
        member('grp_b', { value: 5, previous: { value: 2, at: AT - 24 * HOUR }, firstFiringAt: AT - 2 * HOUR }),
        member(null, { value: 9, previous: { value: 7, at: AT - 24 * HOUR }, breakdown: { orphanedConnections: 4 } }),
        member('grp_a', { acknowledgedBy: 'U42' }),
      ]),
    );
    const all = texts(message.blocks!).join('\n');
    expect(message.text).toBe(
      '<!subteam^S0ONCALL> :red_circle: CRITICAL: Cross-group violations (platform-wide + 2 groups): platform-wide 9 (critical when > 0). ' +
        'Firing since <!date^1795766400^{date_short_pretty} {time}|2026-11-27 08:00 UTC>.',
    );
    expect(all).toContain(
      '*Firing (platform-wide + 2 groups)*\n*Platform-wide*: 7 → 9 (+2) since <!date^1795687200^{date_short_pretty} {time}|2026-11-26 10:00 UTC> · firing since <!date^1795770000^{date_short_pretty} {time}|2026-11-27 09:00 UTC> · not acknowledged\n' +
        '`grp_b`: 2 → 5 (+3) since <!date^1795687200^{date_short_pretty} {time}|2026-11-26 10:00 UTC> · not acknowledged\n`grp_a`: 3 · firing since <!date^1795770000^{date_short_pretty} {time}|2026-11-27 09:00 UTC>',
    );
    expect(all).toContain(':eyes: Acknowledged by <@U42> (1 of 3 scopes).');
    expect(all).toContain('*Counts (platform-wide)*\norphanedConnections: 4');
    expect(all).toContain('*Top issues*\n`conn_platform`, `conn_grp_b`, `conn_grp_a`');
    expect(all.match(/Notify security\./g)).toHaveLength(1);
  });

  it('shows a resolved notification as resolved, with every scope it had', () => {
    const message = notificationMessage(
      view([member(null, { state: 'resolved', resolvedAt: AT, value: 0 }), member('grp_a', { state: 'resolved', resolvedAt: AT - HOUR / 2, value: 0 })], {
        resolvedAt: AT,
      }),
    );
    expect(message.text).toBe(
      ':white_check_mark: Resolved: Cross-group violations (platform-wide + group `grp_a`). Fired <!date^1795770000^{date_short_pretty} {time}|2026-11-27 09:00 UTC> → resolved <!date^1795773600^{date_short_pretty} {time}|2026-11-27 10:00 UTC> (1 h).',
    );
    const all = texts(message.blocks!).join('\n');
    expect(all).not.toContain('please take a look');
    expect(all).not.toContain('Top issues');
    expect(all).toContain('*No longer critical (2)*\nplatform-wide 0 at <!date^1795773600^{date_short_pretty} {time}|2026-11-27 10:00 UTC>, `grp_a` 0 at <!date^1795771800^{date_short_pretty} {time}|2026-11-27 09:30 UTC>');
  });

  it.each([
    ['a value changes', { value: 4 }, true],
    ['a member is acknowledged', { acknowledgedBy: 'U1' }, true],
    ['a member becomes silenced', { state: 'silenced' as const }, true],
    ['only the time of the check moves on', {}, false],
    ['only the previous value moves on (a run with the same value)', { previous: { value: 3, at: AT } }, false],
  ])('edits only when what it shows changed: %s', (_reason, change, edited) => {
    const before = shownSignature(view([member(null), member('grp_a')]));
    const after = shownSignature(view([member(null), member('grp_a', change)], { at: AT + HOUR }));
    expect(after !== before).toBe(edited);
  });

  it('names the members due in a reminder, and each leaving member in the resolved reply', () => {
    const members = [member(null), member('grp_a'), member('grp_b', { state: 'resolved', resolvedAt: AT, value: 0 }), member('grp_c', { state: 'resolved', resolvedAt: AT })];
    const current = view(members, { at: AT + 3 * HOUR });
    expect(reminderMessage(current, members.slice(0, 2)).text).toBe(
      '<!subteam^S0ONCALL> :red_circle: Still firing after 4 h: Cross-group violations (critical when > 0) in platform-wide 3, `grp_a` 3.',
    );
    const reply = resolvedReply(current, [
      { member: members[2]!, cause: 'resolved', nowSeverity: null },
      { member: members[3]!, cause: 'severity_changed', nowSeverity: 'warning' },
    ]);
    expect(reply.text).toBe(
      [
        ':white_check_mark: Resolved at <!date^1795773600^{date_short_pretty} {time}|2026-11-27 10:00 UTC>: group `grp_b` after 1 h. Cross-group violations is back within its threshold there.',
        ':white_check_mark: No longer critical: Cross-group violations is now warning in group `grp_c` (3); the warning message follows it.',
        'Still firing here: 2 scopes.',
      ].join('\n'),
    );
  });
});
