/**
 * The approval service as the Slack app uses it: request messages posted with `chat.postMessage` and edited
 * through the outbox (`chat.update`, retried until delivered), approver and requester user groups resolved with
 * `usergroups.users.list` (cached briefly), runs through the backend's migration service, and the bot's events in
 * the event log.
 */
import type { PlanSummary } from '../approvals/plan.ts';
import type { WebClient } from '@slack/web-api';
import { createEventLog } from '../alerts/event-log.ts';
import { createApprovalDirectory, type ApprovalDirectory } from '../approvals/directory.ts';
import type { ApprovalStore } from '../approvals/port.ts';
import { createApprovalService, type ApprovalMessenger, type ApprovalService } from '../approvals/service.ts';
import type { Backend } from '../backend.ts';
import type { Config } from '../config.ts';
import type { PendingApprovals } from './overview.ts';

/** How often the app expires due requests and looks for runs to resume. */
export const APPROVAL_TICK_MS = 30_000;

/** Posts request messages and tells requesters through the Web API (edits go through the outbox). */
export function slackMessenger(client: WebClient): ApprovalMessenger {
  return {
    async post(channel, message) {
      const posted = await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks as never, unfurl_links: false });
      if (!posted.ts || !posted.channel) throw new Error('chat.postMessage answered without a channel and ts');
      return { channel: posted.channel, ts: posted.ts };
    },
    async notify(userId, text) {
      // A user id as the channel posts in the bot's direct messages with that user.
      await client.chat.postMessage({ channel: userId, text, unfurl_links: false });
    },
  };
}

/** Who may request and approve, with user groups resolved through the Web API (cached briefly). */
export function slackApprovalDirectory(deps: { config: Config; now: () => number }, client: WebClient): ApprovalDirectory {
  return createApprovalDirectory(
    deps.config.approvals,
    async (usergroup) => {
      const answer = await client.usergroups.users.list({ usergroup });
      return answer.users ?? [];
    },
    { now: deps.now },
  );
}

/** Requests still waiting for approval shown on the Home tab and by `status`: the oldest first, at most this many. */
const PENDING_SHOWN = 20;

/** The approvals waiting, as the Home tab and `/ontology status` show them, with whether the viewer may act. */
export function pendingApprovalsOf(store: ApprovalStore, directory: ApprovalDirectory): PendingApprovals {
  return async (viewer, now) => {
    const { requests } = await store.list({ states: ['requested'], cursor: null, limit: PENDING_SHOWN });
    const viewerIsApprover = viewer === null ? false : await directory.isApprover(viewer);
    return requests
      .filter((request) => request.expiresAt > now)
      .map((request) => ({
        id: request.id,
        kind: request.kind,
        requestedBy: request.requestedBy,
        requestedAt: request.requestedAt,
        expiresAt: request.expiresAt,
        approvals: request.approvals.length,
        required: request.requiredApprovals,
        viewerMayAct: viewerIsApprover && viewer !== request.requestedBy,
        message: request.channel && request.messageTs ? { channel: request.channel, ts: request.messageTs } : null,
        planHash: request.planHash,
        plan: request.plan as PlanSummary | null,
      }));
  };
}

/** The approval service of a Slack app over `backend`. */
export function createSlackApprovals(
  deps: {
    backend: Backend;
    config: Config;
    now: () => number;
    log: (line: string) => void;
    deliver: () => Promise<void>;
    /** After a run ended: re-evaluates every metric at once. */
    afterChange?: (change: 'migration' | 'rollback') => void;
  },
  client: WebClient,
  directory: ApprovalDirectory = slackApprovalDirectory(deps, client),
): ApprovalService {
  const { backend, config, now } = deps;
  const migration = () => backend.migration({ now });
  return createApprovalService({
    store: backend.approvals,
    migration,
    fixes: () => backend.fixes({ now }),
    events: createEventLog(backend.documents, { groupSlug: config.monitors.eventsGroupSlug }),
    eventGroupSlug: config.monitors.eventsGroupSlug,
    messenger: slackMessenger(client),
    outbox: backend.monitorPorts.stores.outbox,
    deliver: deps.deliver,
    directory,
    config: config.approvals,
    backupDir: backend.backupDir,
    now,
    log: deps.log,
    ...(deps.afterChange ? { afterChange: deps.afterChange } : {}),
  });
}

