/** `/ontology rollback` through the real app: checks answer privately; otherwise a rollback approval is posted. */
import { describe, expect, it } from 'vitest';
import { APPROVAL_T0, seededBackend } from '../../helpers/approvals.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { APPROVER_1, click, requestVia, startApprovalApp } from '../../helpers/slack/approval-flow.ts';

async function migratedApp() {
  const { backend } = await seededBackend();
  const harness = await startApprovalApp({ backend, clock: new FakeClock(APPROVAL_T0) });
  const { ts, value, request } = await requestVia(harness, backend, 'migrate');
  await click(harness, { userId: APPROVER_1, value, ts });
  await harness.app.approvals.idle();
  const run = (await backend.approvals.get(request!.id))!;
  const [record] = (await backend.migration().status({ limit: 1 })).runs;
  return { backend, harness, runId: run.runId!, backupFile: record!.backupFile! };
}

describe('/ontology rollback', () => {
  it('--dry-run of a run answers privately with the undo plan; --verify checks a backup; nothing runs', async () => {
    const { backend, harness, runId, backupFile } = await migratedApp();
    const dry = await harness.command(`rollback ${runId} --dry-run`);
    const answer = (await harness.responseTo(dry.responseUrl)).body;
    expect(answer.response_type).toBe('ephemeral');
    expect(JSON.stringify(answer.blocks)).toMatch(new RegExp(`Dry run: exact undo of run ${runId}.*Journal entries:\\* 16`, 's'));
    const name = backupFile.split('/').at(-1)!;
    const verify = await harness.command(`rollback ${name} --verify`);
    expect(String((await harness.responseTo(verify.responseUrl)).body.text)).toMatch(/^Backup .* verified: \d+ documents/);
    const runs = (await backend.migration().status({ limit: 5 })).runs;
    expect(runs.map((run) => run.kind)).toEqual(['migrate']);
  });

  it('without a flag posts a rollback approval and runs nothing', async () => {
    const { backend, harness, runId } = await migratedApp();
    const { reply, request } = await requestVia(harness, backend, `rollback ${runId}`);
    expect(reply).toMatch(/^Approval requested .*the rollback runs once/);
    expect(request).toMatchObject({ kind: 'rollback', target: runId, state: 'requested' });
    expect((await backend.migration().status({ limit: 5 })).runs.map((run) => run.kind)).toEqual(['migrate']);
  });

  it.each([
    ['no target', 'rollback', /`rollback` needs &lt;runId \| backupFile&gt;/],
    ['--verify of a run id', 'rollback mig_1 --verify', /checks a backup file/],
    ['both flags', 'rollback x.zip --verify --dry-run', /--dry-run or --verify, not both/],
  ])('refuses %s with the usage, privately', async (_case, text, problem) => {
    const { backend } = await seededBackend();
    const harness = await startApprovalApp({ backend, clock: new FakeClock(APPROVAL_T0) });
    const ack = await harness.command(text);
    expect(JSON.parse(ack.body)).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(problem) });
  });

  it('refuses a backup outside the backup folder and an unknown run, with one line each', async () => {
    const { backend } = await seededBackend();
    const harness = await startApprovalApp({ backend, clock: new FakeClock(APPROVAL_T0) });
    const outside = await harness.command('rollback ../../etc/passwd.zip --dry-run');
    expect(String((await harness.responseTo(outside.responseUrl)).body.text)).toMatch(/is not in the backup folder/);
    const unknown = await harness.command('rollback mig_nope');
    expect(String((await harness.responseTo(unknown.responseUrl)).body.text)).toMatch(/^:warning: .*mig_nope/);
    expect(harness.slack.callsOf('chat.postMessage')).toEqual([]);
  });
});
