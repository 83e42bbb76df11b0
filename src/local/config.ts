/**
 * The configuration the bot runs with inside the local workspace: the same `Config` a real Slack workspace
 * gives, with the Slack settings pointed at the local Web API, a signing secret made for this process, the local
 * channels, and the lead as the one approver.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import { LOCAL_BOT_TOKEN, LOCAL_CHANNELS, LOCAL_USERS } from './directory.ts';

/** A signing secret for one run of the local workspace (letters and digits, as Slack's are). */
export function localSigningSecret(): string {
  return randomBytes(16).toString('hex');
}

/** What the local workspace decides: where its Web API is, the secret, and the dashboard's address. */
export interface LocalWiring {
  /** The local Web API base URL (`…/api/`). */
  apiUrl: string;
  signingSecret: string;
  /** The dashboard page, linked from alerts and the Home tab. */
  dashboardUrl: string;
}

/** `config` as the bot runs it against the local workspace (HTTP mode; the Bolt receiver's port is chosen at start). */
export function localWorkspaceConfig(config: Config, wiring: LocalWiring): Config {
  return {
    ...config,
    slack: {
      ...config.slack,
      botToken: LOCAL_BOT_TOKEN,
      signingSecret: wiring.signingSecret,
      appToken: null,
      appMode: 'http',
      port: 0,
      apiUrl: wiring.apiUrl,
    },
    alerts: {
      ...config.alerts,
      channels: { critical: LOCAL_CHANNELS.critical.id, warning: LOCAL_CHANNELS.warning.id, report: LOCAL_CHANNELS.report.id },
      dashboardUrl: config.alerts.dashboardUrl ?? wiring.dashboardUrl,
    },
    approvals: {
      ...config.approvals,
      requesterUsergroup: null,
      approverUsergroup: null,
      approverUserIds: LOCAL_USERS.filter((user) => user.approver).map((user) => user.id),
      channel: LOCAL_CHANNELS.approvals.id,
    },
  };
}
