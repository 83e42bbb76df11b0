/**
 * The people and channels of the local workspace `npm start` runs when no Slack credentials are set: an engineer
 * and a lead (the only approver, so four-eyes approval can be shown), and one channel per destination the bot
 * posts to. Ids are shaped like Slack's so the configuration validates them as it would real ones.
 */

/** A person of the local workspace. */
export interface LocalUser {
  id: string;
  /** Handle, as in `@erin`. */
  name: string;
  realName: string;
  /** What they do here, shown beside the name. */
  title: string;
  /** True for the user the approvals configuration names as approver. */
  approver: boolean;
}

/** A channel of the local workspace. */
export interface LocalChannel {
  id: string;
  name: string;
  /** What the bot posts there. */
  purpose: string;
}

/** The engineer (requests migrations) and the lead (approves them). */
export const LOCAL_USERS: readonly LocalUser[] = [
  { id: 'UENGINEER1', name: 'erin', realName: 'Erin Engineer', title: 'On-call engineer', approver: false },
  { id: 'ULEAD00001', name: 'lee', realName: 'Lee Lead', title: 'Data lead (approver)', approver: true },
];

/** The channels, keyed by what goes there. */
export const LOCAL_CHANNELS = {
  critical: { id: 'CCRITICAL1', name: 'ontology-critical', purpose: 'Critical alerts (tenant isolation, orphans)' },
  warning: { id: 'CWARNINGS1', name: 'ontology-warnings', purpose: 'Warnings' },
  report: { id: 'CREPORTS01', name: 'ontology-reports', purpose: 'Daily and weekly reports' },
  approvals: { id: 'CAPPROVAL1', name: 'ontology-approvals', purpose: 'Migration and rollback approvals' },
} as const satisfies Record<string, LocalChannel>;

/** The bot's own user in the local workspace. */
export const LOCAL_BOT = { userId: 'UBOTLOCAL1', botId: 'BBOTLOCAL1', name: 'ontology-ops', teamId: 'TLOCAL0001', team: 'Local workspace' } as const;
