/**
 * The approval service as the Slack app uses it: request messages posted and edited with `chat.postMessage` /
 * `chat.update`, approver and requester user groups resolved with `usergroups.users.list` (cached briefly), runs
 * through the backend's migration service, and the bot's events in the event log.
 */
import type { WebClient } from '@slack/web-api';
import { createEventLog } from '../alerts/event-log.ts';
import { createApprovalDirectory } from '../approvals/directory.ts';
import { createApprovalService, type ApprovalMessenger, type ApprovalService } from '../approvals/service.ts';
import type { Backend } from '../backend.ts';
import type { Config } from '../config.ts';

/** How often the app expires due requests and looks for runs to resume. */
export const APPROVAL_TICK_MS = 30_000;

/** Posts and edits request messages through the Web API. */
export function slackMessenger(client: WebClient): ApprovalMessenger {
  return {
    async post(channel, message) {
      const posted = await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks as never, unfurl_links: false });
      if (!posted.ts || !posted.channel) throw new Error('chat.postMessage answered without a channel and ts');
      return { channel: posted.channel, ts: posted.ts };
    },
    async update(channel, ts, message) {
      await client.chat.update({ channel, ts, text: message.text, blocks: message.blocks as never });
    },
  };
}

/** The approval service of a Slack app over `backend`. */
export function createSlackApprovals(deps: { backend: Backend; config: Config; now: () => number; log: (line: string) => void }, client: WebClient): ApprovalService {
  const { backend, config, now } = deps;
  const migration = () => backend.migration({ now });
  return createApprovalService({
    store: backend.approvals,
    migration,
    events: createEventLog(backend.documents, { groupSlug: config.monitors.eventsGroupSlug }),
    messenger: slackMessenger(client),
    directory: createApprovalDirectory(
      config.approvals,
      async (usergroup) => {
        const answer = await client.usergroups.users.list({ usergroup });
        return answer.users ?? [];
      },
      { now },
    ),
    config: config.approvals,
    backupDir: backend.backupDir,
    now,
    log: deps.log,
  });
}

