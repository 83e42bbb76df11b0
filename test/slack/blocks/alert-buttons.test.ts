import { describe, expect, it } from 'vitest';
import { UNTIL_RESOLVED } from '../../../src/alerts/types.ts';
import { InvalidArgumentError } from '../../../src/errors.ts';
import {
  ALERT_ACTION_IDS,
  notificationMessage as buildNotificationMessage,
  parseNotificationRef,
  parseSilenceOption,
  shownSignature,
  silenceOptionValue,
  type MemberView,
  type NotificationView,
} from '../../../src/slack/blocks/alert.ts';
import { slackDate } from '../../../src/slack/blocks/format.ts';
import { checked } from '../../helpers/slack/block-kit.ts';

// Every message this file builds is held to Slack's Block Kit rules.
const notificationMessage = checked(buildNotificationMessage);

const AT = Date.parse('2026-11-27T10:00:00Z');
const HOUR = 3_600_000;
const KEY = 'crossGroupViolations|critical|C_CRIT';

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
    topIssueIds: [],
    breakdown: {},
    note: null,
    ...overrides,
  };
}

function view(members: MemberView[], overrides: Partial<NotificationView> = {}): NotificationView {
  return {
    key: KEY,
    subject: 'crossGroupViolations',
    title: 'Cross-group violations',
    severity: 'critical',
    unit: 'count',
    threshold: 'critical when > 0',
    remediation: [],
    mention: null,
    source: 'daily',
    at: AT,
    openedAt: AT - HOUR,
    resolvedAt: null,
    members,
    ...overrides,
  };
}

type Element = { type: string; action_id: string; value?: string; options?: { text: { text: string }; value: string }[] };

function actions(blocks: unknown[] | undefined): Element[] | null {
  const block = (blocks ?? []).find((candidate) => (candidate as { type: string }).type === 'actions') as { elements: Element[] } | undefined;
  return block ? block.elements : null;
}

describe('alert message buttons', () => {
  it('gives an open alert Acknowledge, a Silence menu (1 h, 4 h, 24 h, until resolved) and Run check now, naming the episode', () => {
    const elements = actions(notificationMessage(view([member(null)])).blocks)!;
    expect(elements.map((element) => element.action_id)).toEqual([
      ALERT_ACTION_IDS.acknowledge,
      ALERT_ACTION_IDS.silence,
      ALERT_ACTION_IDS.runCheck,
    ]);
    const ref = { key: KEY, openedAt: AT - HOUR };
    expect(parseNotificationRef(elements[0]!.value!)).toEqual(ref);
    expect(parseNotificationRef(elements[2]!.value!)).toEqual(ref);
    const options = elements[1]!.options!;
    expect(options.map((option) => option.text.text)).toEqual(['1 hour', '4 hours', '24 hours', 'Until resolved']);
    expect(options.map((option) => parseSilenceOption(option.value))).toEqual([
      { choice: '1h', ref },
      { choice: '4h', ref },
      { choice: '24h', ref },
      { choice: 'resolved', ref },
    ]);
    // Slack's limits: a button value ≤ 2000 characters, an option value ≤ 150.
    for (const option of options) expect(option.value.length).toBeLessThanOrEqual(150);
  });

  it.each([
    ['a resolved message: nothing left to act on', view([member(null, { state: 'resolved', resolvedAt: AT })], { resolvedAt: AT })],
    ['a message posted without the store (no key): no episode to act on', view([member(null)], { key: undefined })],
  ])('shows no buttons on %s', (_reason, shown) => {
    expect(actions(notificationMessage(shown).blocks)).toBeNull();
  });

  it('shows who acknowledged and when once, and who silenced, until when and why', () => {
    const message = notificationMessage(
      view([
        member(null, { acknowledgedBy: 'U42', acknowledgedAt: AT - 30 * 60_000 }),
        member('grp_a', { state: 'silenced', silence: { by: 'U07SILENT', until: AT + 4 * HOUR, reason: 'backfill running' } }),
        member('grp_b', { state: 'silenced', silence: { by: 'U07SILENT', until: UNTIL_RESOLVED, reason: 'known' } }),
      ]),
    );
    const all = JSON.stringify(message.blocks);
    expect(all).toContain(':eyes: Acknowledged by <@U42> at <!date^1795771800^{date_short_pretty} {time}|2026-11-27 09:30 UTC> (1 of 3 scopes).');
    expect(all).toContain('*Platform-wide*: 3"');
    expect(all).toContain('`grp_a` by <@U07SILENT> until <!date^1795788000^{date_short_pretty} {time}|2026-11-27 14:00 UTC>: backfill running');
    expect(all).toContain('`grp_b` by <@U07SILENT> until resolved: known');
  });

  it('changes what the message shows (so it is edited) when a silence is set or changed, and not otherwise', () => {
    const plain = shownSignature(view([member(null)]));
    expect(shownSignature(view([member(null)], { at: AT + HOUR }))).toBe(plain);
    const silenced = shownSignature(view([member(null, { state: 'silenced', silence: { by: 'U07SILENT', until: AT + HOUR, reason: 'x' } })]));
    expect(silenced).not.toBe(plain);
    expect(shownSignature(view([member(null, { state: 'silenced', silence: { by: 'U07SILENT', until: AT + 2 * HOUR, reason: 'x' } })]))).not.toBe(silenced);
  });

  it.each([
    ['no separator', 'crossGroupViolations'],
    ['no episode time', 'x|crossGroupViolations|critical|C'],
    ['no severity in the key', '1|crossGroupViolations|C'],
    ['empty', ''],
  ])('refuses a button value this app did not write (%s)', (_reason, value) => {
    expect(() => parseNotificationRef(value)).toThrow(InvalidArgumentError);
  });

  it('refuses a silence option with an unknown duration', () => {
    expect(() => parseSilenceOption(`2h|1|${KEY}`)).toThrow(/silence duration must be one of 1h, 4h, 24h, resolved/);
    expect(silenceOptionValue('4h', { key: KEY, openedAt: 5 })).toBe(`4h|5|${KEY}`);
  });
});

describe('the Dashboard link', () => {
  const URL = 'https://ops.example.com/dashboard/';
  const links = (blocks: unknown[] | undefined) =>
    (blocks ?? []).flatMap((block) => ((block as { elements?: { url?: string; action_id?: string }[] }).elements ?? []).filter((element) => element.url !== undefined));

  it('is a button next to the alert controls when DASHBOARD_URL is set', () => {
    const elements = actions(notificationMessage(view([member(null)], { dashboardUrl: URL })).blocks)!;
    expect(elements.map((element) => element.action_id)).toEqual(['alert_acknowledge', 'alert_silence', 'alert_run_check', 'open_dashboard']);
    expect(elements.at(-1)).toMatchObject({ type: 'button', url: URL, text: { type: 'plain_text', text: 'Dashboard' } });
  });

  it('stays on a resolved message (which has no controls any more)', () => {
    const resolved = notificationMessage(view([member(null, { state: 'resolved', resolvedAt: AT })], { resolvedAt: AT, dashboardUrl: URL }));
    expect(links(resolved.blocks)).toEqual([expect.objectContaining({ action_id: 'open_dashboard', url: URL })]);
  });

  it('opens the dashboard on the group when the alert is about one group (?group=<id>), platform-wide otherwise', () => {
    const one = actions(notificationMessage(view([member('j57group one&x')], { dashboardUrl: URL })).blocks)!;
    expect(one.at(-1)).toMatchObject({ action_id: 'open_dashboard', url: `${URL}?group=j57group+one%26x` });
    const resolved = notificationMessage(view([member('g1', { state: 'resolved', resolvedAt: AT })], { resolvedAt: AT, dashboardUrl: URL }));
    expect(links(resolved.blocks)).toEqual([expect.objectContaining({ url: `${URL}?group=g1` })]);
    // Several scopes in one message: the page opens platform-wide, where all of them are listed.
    for (const members of [[member(null), member('g1')], [member('g1'), member('g2')]]) {
      expect(actions(notificationMessage(view(members, { dashboardUrl: URL })).blocks)!.at(-1)).toMatchObject({ url: URL });
    }
    // A configured address that already carries a query keeps it.
    const kept = actions(notificationMessage(view([member('g1')], { dashboardUrl: `${URL}?theme=dark` })).blocks)!;
    expect(kept.at(-1)).toMatchObject({ url: `${URL}?theme=dark&group=g1` });
  });

  it('names a group by slug and name, escaped, id after', () => {
    const message = notificationMessage(view([member('g1', { groupSlug: 'acme-eu', groupName: 'Acme <EU> & Co' })], { dashboardUrl: URL }));
    expect(JSON.stringify(message.blocks)).toContain('`acme-eu` Acme &lt;EU&gt; &amp; Co (`g1`)');
  });

  it('is absent when no dashboard is configured', () => {
    for (const shown of [view([member(null)]), view([member(null)], { dashboardUrl: null }), view([member(null, { state: 'resolved', resolvedAt: AT })], { resolvedAt: AT })]) {
      const message = notificationMessage(shown);
      expect(links(message.blocks)).toEqual([]);
      expect(JSON.stringify(message.blocks)).not.toContain('open_dashboard');
    }
  });

  it('does not count as a change of what the message shows (no edit just for it)', () => {
    expect(shownSignature(view([member(null)], { dashboardUrl: URL }))).toBe(shownSignature(view([member(null)])));
  });
});

describe('alert lifecycle in the message', () => {
  const acked = (groupId: string | null, by = 'U42', at = AT - 30 * 60_000) => member(groupId, { acknowledgedBy: by, acknowledgedAt: at });
  const silenced = (groupId: string | null) => member(groupId, { state: 'silenced', silence: { by: 'U07SILENT', until: AT + HOUR, reason: 'x' } });
  const header = (shown: NotificationView) => (notificationMessage(shown).blocks![0] as { text: { text: string } }).text.text;
  const ids = (shown: NotificationView) => actions(notificationMessage(shown).blocks)?.map((element) => element.action_id) ?? null;

  it.each([
    ['nothing acknowledged or silenced: Acknowledge and Silence', [member(null), member('g1')], ['alert_acknowledge', 'alert_silence', 'alert_run_check']],
    ['all acknowledged: Unacknowledge replaces Acknowledge', [acked(null), acked('g1')], ['alert_unacknowledge', 'alert_silence', 'alert_run_check']],
    ['some acknowledged (a scope joined since): both', [acked(null), member('g1')], ['alert_acknowledge', 'alert_unacknowledge', 'alert_silence', 'alert_run_check']],
    ['all silenced: Unsilence replaces the Silence menu', [silenced(null), silenced('g1')], ['alert_acknowledge', 'alert_unsilence', 'alert_run_check']],
    ['one silenced, one firing: both', [member(null), silenced('g1')], ['alert_acknowledge', 'alert_silence', 'alert_unsilence', 'alert_run_check']],
  ])('offers the controls of its state (%s)', (_reason, members, expected) => {
    expect(ids(view(members))).toEqual(expected);
  });

  it('says an acknowledged alert is acknowledged in the header, and who and when once, not per group', () => {
    const shown = view([acked(null), acked('g1'), acked('g2', 'U43', AT - 10 * 60_000)], { mention: '<!subteam^S0ONCALL>' });
    expect(header(shown)).toBe(':eyes: Acknowledged (critical): Cross-group violations (platform-wide + 2 groups)');
    const all = JSON.stringify(notificationMessage(shown).blocks);
    expect(all.match(/Acknowledged by/g)).toHaveLength(1);
    expect(all).toContain('Acknowledged by <@U42>, <@U43> at <!date^1795771800^{date_short_pretty} {time}|2026-11-27 09:30 UTC>: no reminders until it resolves.');
    expect(all).not.toContain('acknowledged by');
    // Someone is on it: the on-call group is no longer called on.
    expect(all).not.toContain('please take a look');
    expect(notificationMessage(shown).text).not.toContain('<!subteam^S0ONCALL>');
    expect(notificationMessage(view([acked(null), member('g1')], { mention: '<!subteam^S0ONCALL>' })).text).toMatch(/^<!subteam\^S0ONCALL> :red_circle: CRITICAL/);
  });

  it('keeps the severity in the header while a scope is not acknowledged, and marks that scope', () => {
    const shown = view([acked(null), member('g1')]);
    expect(header(shown)).toBe(':red_circle: CRITICAL: Cross-group violations (platform-wide + group `g1`)');
    const all = JSON.stringify(notificationMessage(shown).blocks);
    expect(all).toContain('`g1`: 3 · not acknowledged');
  });

  it('shows a resolved alert without buttons or acknowledgement', () => {
    const shown = view([acked(null, 'U42'), member('g1', { state: 'resolved', resolvedAt: AT })].map((m) => ({ ...m, state: 'resolved' as const, resolvedAt: AT })), { resolvedAt: AT });
    expect(ids(shown)).toBeNull();
    expect(header(shown)).toMatch(/^:white_check_mark: Resolved/);
    expect(JSON.stringify(notificationMessage(shown).blocks)).not.toContain('Acknowledged by');
  });
});

describe('times in alert messages', () => {
  it('are Slack dates each reader sees in their own time zone, with the UTC time as an escaped fallback', () => {
    expect(slackDate(Date.parse('2026-11-27T10:00:30.500Z'))).toBe('<!date^1795773630^{date_short_pretty} {time}|2026-11-27 10:00 UTC>');
    const all = JSON.stringify(notificationMessage(view([member(null, { acknowledgedBy: 'U42', acknowledgedAt: AT })])).blocks);
    expect(all).toContain(`Acknowledged by <@U42> at <!date^${AT / 1000}^{date_short_pretty} {time}|2026-11-27 10:00 UTC>`);
    expect(all).toContain(`*Firing since*\\n<!date^${(AT - HOUR) / 1000}^{date_short_pretty} {time}|2026-11-27 09:00 UTC>`);
    // No time is left as a bare UTC string outside a date's fallback.
    expect(all.replace(/<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>|]*>/g, '')).not.toMatch(/\d{2}:\d{2} UTC|\d{4}-\d{2}-\d{2}T/);
  });
});
