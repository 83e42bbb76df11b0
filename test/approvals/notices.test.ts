/** The requester is told, by direct message, when their request is approved, rejected, expired, succeeded or failed. */
import { describe, expect, it } from 'vitest';
import { requesterNotice } from '../../src/approvals/service.ts';
import { approvalService, RecordingMessenger, seededBackend } from '../helpers/approvals.ts';

describe('requester notices', () => {
  it('approved, then succeeded with the outcome counts', async () => {
    const { backend, backupDir } = await seededBackend();
    const messenger = new RecordingMessenger();
    const { service } = approvalService(backend, { backupDir, messenger });
    const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    expect(messenger.notices).toEqual([]);
    await service.click({ requestId: request.id, action: 'approve', userId: 'U_A', planHash: request.planHash });
    await service.idle();
    const done = (await backend.approvals.get(request.id))!;
    expect(messenger.notices).toEqual([
      { userId: 'U_REQ', text: `Approved: your v1 groupId migration (request \`${request.id}\`) was approved by <@U_A> and starts now.` },
      { userId: 'U_REQ', text: `Succeeded with regressions: your v1 groupId migration (request \`${request.id}\`). ${(done.result as { message: string }).message}` },
    ]);
    expect(messenger.notices[1]!.text).toMatch(/Migration run1_a completed with regressions \(\d+ records changed\): 2 metrics got worse\./);
  });

  it('rejected, with who rejected it and why (a reason is required); a requester withdrawing their own request is not told', async () => {
    const { backend, backupDir } = await seededBackend();
    const messenger = new RecordingMessenger();
    const { service } = approvalService(backend, { backupDir, messenger });
    const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    await expect(service.click({ requestId: request.id, action: 'reject', userId: 'U_A', planHash: request.planHash })).rejects.toThrow(/^reason: say why/);
    expect(await backend.approvals.get(request.id)).toMatchObject({ state: 'requested' });
    await service.click({ requestId: request.id, action: 'reject', userId: 'U_A', planHash: request.planHash, reason: '  not   this week ' });
    expect(await backend.approvals.get(request.id)).toMatchObject({ state: 'rejected', rejectReason: 'not this week' });
    expect(messenger.notices).toEqual([{ userId: 'U_REQ', text: `Rejected: your v1 groupId migration (request \`${request.id}\`) was rejected by <@U_A>: “not this week”; nothing ran.` }]);
    const again = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    await service.click({ requestId: again.id, action: 'reject', userId: 'U_REQ', planHash: again.planHash });
    expect(await backend.approvals.get(again.id)).toMatchObject({ state: 'rejected' });
    expect(messenger.notices).toHaveLength(1);
  });

  it('expired, once', async () => {
    const { backend, backupDir } = await seededBackend();
    const messenger = new RecordingMessenger();
    const { service, clock } = approvalService(backend, { backupDir, messenger });
    const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    clock.advance(3_600_000);
    await service.tick();
    await service.tick();
    expect(messenger.notices).toEqual([
      { userId: 'U_REQ', text: `Expired: your v1 groupId migration (request \`${request.id}\`) was not approved in time; nothing ran. Ask again if it is still needed.` },
    ]);
  });

  it('a failed direct message is logged and changes nothing', async () => {
    const { backend, backupDir } = await seededBackend();
    const messenger = new RecordingMessenger();
    messenger.notify = async () => {
      throw new Error('cannot_dm_bot');
    };
    const { service, logs } = approvalService(backend, { backupDir, messenger });
    const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    await service.click({ requestId: request.id, action: 'approve', userId: 'U_A', planHash: request.planHash });
    await service.idle();
    expect(await backend.approvals.get(request.id)).toMatchObject({ state: 'succeeded' });
    expect(logs).toEqual([
      `approvals: could not tell <@U_REQ> about request ${request.id}: cannot_dm_bot`,
      `approvals: could not tell <@U_REQ> about request ${request.id}: cannot_dm_bot`,
    ]);
  });

  it('a stored error or outcome reaches the requester escaped, with no server path and no raw error text', async () => {
    const { backend, backupDir } = await seededBackend();
    const { service } = approvalService(backend, { backupDir });
    const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    const error = 'Backup /srv/ontology/backups/run-1.zip failed for group <!channel> <https://evil|Click>: Unexpected error: An API error occurred: ratelimited';
    const failed = requesterNotice({ ...request, state: 'failed', error });
    expect(failed).toBe(
      `Failed: your v1 groupId migration (request \`${request.id}\`). Backup run-1.zip failed for group &lt;!channel&gt; &lt;https://evil|Click&gt;: an unexpected error (the bot's log has the details)`,
    );
    const superseded = requesterNotice({ ...request, state: 'superseded', error: 'Plan for <@U123> in /tmp/x/ops.db changed' });
    expect(superseded).toBe(`Not run: your v1 groupId migration (request \`${request.id}\`) was closed. Plan for &lt;@U123&gt; in ops.db changed`);
  });
});
