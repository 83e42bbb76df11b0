/** Shared setup of the approval tests: a seeded legacy store, its backend, and an approval service with a fake clock. */
import { join } from 'node:path';
import { deliverOutbox } from '../../src/alerts/outbox.ts';
import type { Notifier, OutboundMessage } from '../../src/alerts/ports.ts';
import { createEventLog } from '../../src/alerts/event-log.ts';
import { createApprovalDirectory } from '../../src/approvals/directory.ts';
import { createApprovalService, type ApprovalMessenger, type ApprovalService } from '../../src/approvals/service.ts';
import { sqliteBackend, type Backend } from '../../src/backend.ts';
import type { CrashPoint } from '../../src/migration/test-hooks.ts';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { buildFixture } from '../migration/fixtures.ts';
import { FakeClock } from './fake-clock.ts';
import { counterRandom, tempDir, tempStore } from './temp-store.ts';

/** The instant approval tests start at. */
export const APPROVAL_T0 = Date.parse('2026-11-30T10:00:00Z');

/** Takes the edits of request messages (the outbox's `chat.update`); throws as Slack's Web API would. */
export interface EditSink {
  update(channel: string, ts: string, message: OutboundMessage): Promise<void>;
}

/** A messenger that keeps every post and edit (edits as the outbox delivers them), as Slack would show them. */
export class RecordingMessenger implements ApprovalMessenger, EditSink {
  readonly posts: { channel: string; ts: string; message: OutboundMessage }[] = [];
  readonly updates: { channel: string; ts: string; message: OutboundMessage }[] = [];
  /** Direct messages to users (the requester's notices). */
  readonly notices: { userId: string; text: string }[] = [];
  private counter = 0;

  async post(channel: string, message: OutboundMessage) {
    const ts = `1700000000.${String(++this.counter).padStart(6, '0')}`;
    this.posts.push({ channel, ts, message });
    return { channel, ts };
  }

  async update(channel: string, ts: string, message: OutboundMessage) {
    this.updates.push({ channel, ts, message });
  }

  async notify(userId: string, text: string) {
    this.notices.push({ userId, text });
  }
}

/** A small legacy store (the migration fixture) and its backend. */
export async function seededBackend(options: { crash?: CrashPoint } = {}): Promise<{ store: SqliteStore; backend: Backend; path: string; backupDir: string }> {
  const { store, path, dir } = tempStore({ random: counterRandom(), now: () => APPROVAL_T0 - 10_000 });
  await buildFixture(store, 'legacy', APPROVAL_T0 - 100_000);
  const backend = sqliteBackend(store, { useWorker: false, crash: options.crash });
  return { store, backend, path, backupDir: join(dir, 'backups') };
}

/** An approval service over `backend` with approvers U_A and U_B, requester anyone. */
export function approvalService(
  backend: Backend,
  options: {
    backupDir?: string;
    clock?: FakeClock;
    requiredApprovals?: number;
    messenger?: ApprovalMessenger & EditSink;
    holderId?: string;
    progressIntervalMs?: number;
    /** Crash points of the approval flow (`approval:claimed`, `approval:run-ended`, `approval:closed`). */
    crash?: CrashPoint;
    /** Called as each run ends (the re-evaluation hook). */
    afterChange?: (change: 'migration' | 'rollback') => void;
  } = {},
): { service: ApprovalService; clock: FakeClock; messenger: ApprovalMessenger & EditSink; logs: string[] } {
  const clock = options.clock ?? new FakeClock(APPROVAL_T0);
  const messenger = options.messenger ?? new RecordingMessenger();
  const backupDir = options.backupDir ?? join(tempDir(), 'backups');
  const logs: string[] = [];
  let runs = 0;
  const newRunId = () => `run${++runs}_${options.holderId ?? 'a'}`;
  // The outbox delivers the edits through the messenger's `update`; nothing else is queued in these tests.
  const notifier: Notifier = {
    name: 'recording',
    update: ({ channel, ts, text, blocks }) => messenger.update(channel, ts, { text, blocks }),
    post: async () => {
      throw new Error('approval tests post no outbox messages');
    },
    upload: async () => {
      throw new Error('approval tests upload no files');
    },
  };
  const outbox = backend.monitorPorts.stores.outbox;
  const service = createApprovalService({
    outbox,
    deliver: async () => {
      await deliverOutbox({ outbox, notifier, now: clock.now, sleep: clock.sleep, maxInlineWaitMs: 0, log: (line) => logs.push(line) });
    },
    store: backend.approvals,
    migration: () => backend.migration({ backupDir, now: clock.now, holderId: () => options.holderId ?? 'approvals-test', newRunId }),
    newRunId,
    crash: options.crash,
    ...(options.afterChange ? { afterChange: options.afterChange } : {}),
    events: createEventLog(backend.documents, { groupSlug: 'ontology-ops' }),
    messenger,
    directory: createApprovalDirectory({ requesterUsergroup: null, approverUserIds: ['U_A', 'U_B'], approverUsergroup: null }, async () => []),
    config: { requiredApprovals: options.requiredApprovals ?? 1, channel: 'C_APPROVALS', ttlMs: 3_600_000 },
    backupDir,
    now: clock.now,
    progressIntervalMs: options.progressIntervalMs ?? 0,
    log: (line) => logs.push(line),
  });
  return { service, clock, messenger, logs };
}
