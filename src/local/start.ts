/**
 * Starts the local workspace `npm start` runs without Slack credentials: the local server (PORT, bound to
 * LOCAL_HOST), the Slack-compatible workspace on it, and later the dashboard. The bot itself is unchanged: it gets
 * a `Config` pointed at the local Web API (`config`), its Bolt HTTP receiver listens on a free port of 127.0.0.1,
 * and the workspace delivers signed commands and clicks there (`connectBot`).
 */
import type { Backend } from '../backend.ts';
import type { Config, LocalConfig } from '../config.ts';
import { dashboardRoutes } from '../dashboard/index.ts';
import { createLocalWorkspace } from '../workspace/index.ts';
import { localBotToken, localSigningSecret, localWorkspaceConfig } from './config.ts';
import { startLocalServer } from './server.ts';
import type { MonitorRunner } from '../../monitors/runner.ts';

/** The running local workspace. */
export interface LocalWorkspaceHandle {
  /** The workspace page, e.g. `http://localhost:3000/`. */
  readonly url: string;
  /** The dashboard page. */
  readonly dashboardUrl: string;
  /** The bot's configuration inside this workspace. */
  readonly config: Config;
  /** Serves the dashboard over `backend` (the runner, when the monitors run, powers "Run daily check now"). */
  mountDashboard(deps: { backend: Backend; runner: MonitorRunner | null }): void;
  /** Points the workspace at the bot's Bolt receiver on `port` (127.0.0.1). */
  connectBot(port: number): void;
  close(): Promise<void>;
}

/** Starts the local server and the workspace on it; the dashboard and the bot are attached once they exist. */
export async function openLocalWorkspace(config: Config, local: LocalConfig, log: (line: string) => void): Promise<LocalWorkspaceHandle> {
  const server = await startLocalServer({ port: local.port, host: local.host, log });
  const signingSecret = localSigningSecret();
  const botToken = localBotToken();
  const workspace = createLocalWorkspace({ baseUrl: server.internalUrl, botToken, signingSecret, log });
  server.mount(...workspace.routes);
  const dashboardUrl = `${server.url}dashboard/`;
  const botConfig = localWorkspaceConfig(config, { apiUrl: `${server.internalUrl}api/`, botToken, signingSecret, dashboardUrl });
  return {
    url: server.url,
    dashboardUrl,
    config: botConfig,
    mountDashboard: ({ backend, runner }) => {
      server.mount(...dashboardRoutes({ backend, config: botConfig, runner, now: Date.now, log }));
    },
    connectBot: (port) => workspace.connectBot(`http://127.0.0.1:${port}/slack/events`),
    close: async () => {
      workspace.close();
      await server.close();
    },
  };
}
