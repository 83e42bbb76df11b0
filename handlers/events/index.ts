/** Events API handlers (`app_home_opened`, `app_uninstalled`, `tokens_revoked`): one kebab-case file per event. */
import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { alertRunner } from '../../src/slack/alert-runner.ts';
import { refreshHomeTabs } from '../../src/slack/home.ts';
import { appHomeOpened } from './app-home-opened.ts';
import { appUninstalled } from './app-uninstalled.ts';
import { tokensRevoked } from './tokens-revoked.ts';

/** Registers the event handlers on `app`, and the Home tab refresh after each monitor run. */
export function register(app: App, deps: HandlerDeps): void {
  appHomeOpened(app, deps);
  appUninstalled(app, deps);
  tokensRevoked(app, deps);
  alertRunner(deps).onRunFinished(async () => {
    await refreshHomeTabs(app.client, deps);
  });
}
