/**
 * The configuration the bot runs with inside the local workspace: the same `Config` a real Slack workspace
 * gives, with the Slack settings pointed at the local Web API, a bot token and a signing secret made for this process, the local
 * channels, and the lead as the one approver.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import { LOCAL_CHANNELS, LOCAL_USERS } from './directory.ts';

/** A signing secret for one run of the local workspace (letters and digits, as Slack's are). */
export function localSigningSecret(): string {
  return randomBytes(16).toString('hex');
}

/**
 * A bot token for one run of the local workspace: the only credential its Web API takes, so it is random (a fixed
 * one could be sent by anything that knows the code) and handed to the bot in-process, never printed.
 */
export function localBotToken(): string {
  return `xoxb-local-${randomBytes(24).toString('hex')}`;
}

/** What the local workspace decides: where its Web API is, the bot token and secret, and the dashboard's address. */
export interface LocalWiring {
  /** The local Web API base URL (`…/api/`). */
  apiUrl: string;
  /** The token the Web API takes (`localBotToken`). */
  botToken: string;
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
      botToken: wiring.botToken,
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
