/** `/ontology migrate` through the real app: dry run and pre-flight answer privately; otherwise a request is posted. */
import { describe, expect, it } from 'vitest';
import { APPROVAL_T0, seededBackend } from '../../helpers/approvals.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { APPROVAL_CHANNEL, expectNothingRan, OUTSIDER, requestVia, startApprovalApp } from '../../helpers/slack/approval-flow.ts';
import { postSigned, slashCommandBody } from '../../helpers/slack/signed-request.ts';
import { startSlackAppHarness, TEST_SIGNING_SECRET } from '../../helpers/slack/slack-app-harness.ts';

describe('/ontology migrate', () => {
  it('--dry-run answers privately with the plan and writes nothing', async () => {
    const { backend } = await seededBackend();
    const harness = await startApprovalApp({ backend, clock: new FakeClock(APPROVAL_T0) });
    const ack = await harness.command('migrate --dry-run');
    const answer = (await harness.responseTo(ack.responseUrl)).body;
    expect(answer.response_type).toBe('ephemeral');
    expect(JSON.stringify(answer.blocks)).toMatch(/Dry run: v1 groupId migration.*Records to change:\* 16/s);
    expect(harness.slack.callsOf('chat.postMessage')).toEqual([]);
    expect((await backend.approvals.list({ cursor: null, limit: 5 })).requests).toEqual([]);
    await expectNothingRan(backend);
  });

  it('--validate-only answers privately with the pre-flight', async () => {
    const { backend } = await seededBackend();
    const harness = await startApprovalApp({ backend, clock: new FakeClock(APPROVAL_T0) });
    const ack = await harness.command('migrate --validate-only');
    const answer = (await harness.responseTo(ack.responseUrl)).body;
    expect(answer.response_type).toBe('ephemeral');
    // The fixture's migration makes 5 references cross-group: the pre-flight passes, with its regressions highlighted.
    expect(String(answer.text)).toMatch(/^:warning: Pre-flight passed with predicted regressions: the migration can start/);
    expect(JSON.stringify(answer.blocks)).toMatch(/:warning: \*Referential integrity score\* [\d.]+% → [\d.]+%.*:warning: \*Cross-group violations\* 0 → 5 \(healthy → critical\).*:warning: \*Cause:\* 5 cross-group references/s);
    await expectNothingRan(backend);
  });

  it('the same signed request replayed 3× opens one request; the replays answer with a link to it', async () => {
    const { backend } = await seededBackend();
    const harness = await startApprovalApp({ backend, clock: new FakeClock(APPROVAL_T0) });
    const responseUrl = harness.slack.responseUrl();
    const body = slashCommandBody({ text: 'migrate', userId: 'U0ALICE', channelId: 'C0OPS', responseUrl });
    const timestamp = Math.floor(Date.now() / 1000);
    for (let n = 0; n < 3; n++) expect((await postSigned(harness.url, body, { secret: TEST_SIGNING_SECRET, timestamp })).status).toBe(200);
    const answers = await Promise.all([0, 1, 2].map(async (index) => String((await harness.responseTo(responseUrl, index)).body.text)));
    const requests = (await backend.approvals.list({ cursor: null, limit: 10 })).requests;
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(answers.filter((answer) => answer.startsWith(`Approval requested (request \`${request!.id}\`)`))).toHaveLength(1);
    const link = `<https://slack.com/archives/${APPROVAL_CHANNEL}/p${request!.messageTs!.replace('.', '')}|Open request ${request!.id}>`;
    expect(answers.filter((answer) => answer.endsWith(`is already requested (waiting for approval): see request ${request!.id}. Nothing new was requested. ${link}`))).toHaveLength(2);
    expect(harness.slack.callsOf('chat.postMessage').filter((call) => call.params.channel === APPROVAL_CHANNEL)).toHaveLength(1);
    await expectNothingRan(backend);
  });

  it('without a flag posts an approval request to the approval channel and runs nothing', async () => {
    const { backend } = await seededBackend();
    const harness = await startApprovalApp({ backend, clock: new FakeClock(APPROVAL_T0) });
    const { reply, post, request } = await requestVia(harness, backend, 'migrate');
    expect(reply).toMatch(/^Approval requested \(request `apr_[0-9a-f]+`\): the migration runs once 1 approver\(s\) approve it in <#C0APPROVALS>/);
    expect(post!.params.channel).toBe(APPROVAL_CHANNEL);
    expect(request).toMatchObject({ kind: 'migrate', state: 'requested', expiresAt: APPROVAL_T0 + 3_600_000 });
    // The deadline as a Slack date (each reader's own time zone), never a raw ISO string.
    const deadline = APPROVAL_T0 + 3_600_000;
    expect(reply).toContain(`before <!date^${Math.floor(deadline / 1000)}^{date_short_pretty} {time}|${new Date(deadline).toISOString().slice(0, 16).replace('T', ' ')} UTC>.`);
    expect(JSON.stringify(post!.params.blocks)).toContain(`*Expires* <!date^${Math.floor(deadline / 1000)}^`);
    await expectNothingRan(backend);
  });

  it.each([
    ['both flags', 'migrate --dry-run --validate-only', /--dry-run or --validate-only, not both/],
    ['an unknown flag', 'migrate --now', /Unknown option --now for `migrate`/],
    ['an extra argument', 'migrate everything', /Too many arguments for `migrate`/],
  ])('refuses %s with the usage, privately, and runs nothing', async (_case, text, problem) => {
    const { backend } = await seededBackend();
    const harness = await startApprovalApp({ backend, clock: new FakeClock(APPROVAL_T0) });
    const ack = await harness.command(text);
    expect(ack.status).toBe(200);
    const body = JSON.parse(ack.body) as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toMatch(problem);
    await expectNothingRan(backend);
  });

  it('without any approver configured, says which variable to set and posts nothing', async () => {
    const { backend } = await seededBackend();
    const harness = await startSlackAppHarness({ backend, env: { APPROVAL_CHANNEL } });
    const ack = await harness.command('migrate');
    const answer = (await harness.responseTo(ack.responseUrl)).body;
    expect(String(answer.text)).toMatch(/Nobody may approve: set APPROVER_USER_IDS and\/or APPROVER_USERGROUP/);
    expect(harness.slack.callsOf('chat.postMessage')).toEqual([]);
  });

  it('only members of REQUESTER_USERGROUP may request (resolved through usergroups.users.list)', async () => {
    const { backend } = await seededBackend();
    const harness = await startSlackAppHarness({ backend, env: { APPROVAL_CHANNEL, APPROVER_USERGROUP: 'S0LEADS', REQUESTER_USERGROUP: 'S0ENG' } });
    harness.slack.answer('usergroups.users.list', (params) => ({ body: { ok: true, users: params.usergroup === 'S0ENG' ? ['U0ALICE'] : ['U0BOB'] } }));
    const refused = await harness.command('migrate', { userId: OUTSIDER });
    expect(String((await harness.responseTo(refused.responseUrl)).body.text)).toMatch(/Only members of the requester user group/);
    const { post } = await requestVia(harness, backend, 'migrate');
    expect(JSON.stringify(post!.params.blocks)).toContain('<!subteam^S0LEADS> please review.');
    // Two lookups of S0ENG within a minute: one Web API call.
    expect(harness.slack.callsOf('usergroups.users.list').filter((call) => call.params.usergroup === 'S0ENG')).toHaveLength(1);
  });
});
