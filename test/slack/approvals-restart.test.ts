/**
 * A bot restart mid-run: the first app instance loses its store at a crash point (as a killed process does: nothing
 * more is written, the lease stays until it expires), a new instance over the same file resumes the run from its
 * checkpoint and keeps editing the same request message.
 */
import { describe, expect, it } from 'vitest';
import { sqliteBackend } from '../../src/backend.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { APPROVAL_T0, seededBackend } from '../helpers/approvals.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { APPROVER_1, click, requestVia, startApprovalApp, updatesOf } from '../helpers/slack/approval-flow.ts';
import { startFakeSlackApi } from '../helpers/slack/fake-slack-api.ts';

class Killed extends Error {}

describe('restart mid-run', () => {
  it('a new app instance resumes the approved run and edits the same message to the end', async () => {
    let store: SqliteStore | null = null;
    const first = await seededBackend({
      crash: (point) => {
        if (point !== 'batch:2') return;
        // The process dies here: its connection goes, so nothing after this point is written by it.
        store!.close();
        throw new Killed('killed at batch:2');
      },
    });
    store = first.store;
    const clock = new FakeClock(APPROVAL_T0);
    const slack = await startFakeSlackApi();
    const harness1 = await startApprovalApp({ backend: first.backend, clock, slack });
    const { request, ts, value } = await requestVia(harness1, first.backend, 'migrate');
    await click(harness1, { userId: APPROVER_1, value, ts });
    await harness1.app.approvals.idle();

    const reopened = SqliteStore.open(first.path);
    const backend2 = sqliteBackend(reopened, { useWorker: false });
    try {
      const interrupted = (await backend2.approvals.get(request!.id))!;
      expect(interrupted).toMatchObject({ state: 'running', channel: 'C0APPROVALS', messageTs: ts });
      const [run] = (await backend2.migration().status({ limit: 1 })).runs;
      expect(run).toMatchObject({ id: interrupted.runId, state: 'migrating', batches: 2 });

      // The dead holder's lease expires; the restarted bot resumes at start.
      clock.advance(5 * 60_000);
      const editsBefore = updatesOf(harness1, ts).length;
      const harness2 = await startApprovalApp({ backend: backend2, clock, slack });
      await slack.waitFor(() => harness2.logs.length === 0 && updatesOf(harness2, ts).length > editsBefore);
      await harness2.app.approvals.idle();

      const done = (await backend2.approvals.get(request!.id))!;
      expect(done).toMatchObject({ state: 'succeeded', runId: interrupted.runId });
      const runs = (await backend2.migration().status({ limit: 5 })).runs;
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ id: interrupted.runId, state: 'completed' });
      expect(slack.callsOf('chat.postMessage').filter((call) => call.params.channel === 'C0APPROVALS')).toHaveLength(1);
      expect(JSON.stringify(updatesOf(harness2, ts).at(-1)!.params.blocks)).toMatch(/Succeeded with regressions: v1 groupId migration.*Validation: passed.*:warning: \*Cross-group violations\* 0 → 5 \(healthy → critical\)/s);
    } finally {
      reopened.close();
    }
  });
});
