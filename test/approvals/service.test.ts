import { describe, expect, it } from 'vitest';
import { approvalService, RecordingMessenger, seededBackend } from '../helpers/approvals.ts';

describe('approval service', () => {
  it('request → approve runs the migration and edits the same message to the end', async () => {
    const { backend, store } = await seededBackend();
    const messenger = new RecordingMessenger();
    const { service, logs } = approvalService(backend, { messenger });
    const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    expect(request).toMatchObject({ state: 'requested', channel: 'C_APPROVALS' });
    const outcome = await service.click({ requestId: request.id, action: 'approve', userId: 'U_A', planHash: request.planHash });
    expect(outcome.decision).toEqual({ action: 'approve_and_start', reason: 'approved' });
    await service.idle();
    expect(logs).toEqual([]);
    const done = await backend.approvals.get(request.id);
    expect(done).toMatchObject({ state: 'succeeded' });
    expect(done!.runId).toMatch(/^run/);
    expect(messenger.updates.every((update) => update.ts === messenger.posts[0]!.ts)).toBe(true);
    expect(messenger.updates.length).toBeGreaterThan(2);
    const types = store.database.prepare("SELECT json_extract(doc, '$.type') FROM events WHERE json_extract(doc, '$.type') LIKE 'approval_%' ORDER BY rowid").pluck().all();
    expect(types).toEqual(['approval_requested', 'approval_approved', 'approval_run_started', 'approval_run_succeeded']);
  });
});
