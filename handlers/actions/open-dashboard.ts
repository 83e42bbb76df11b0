/**
 * The "Dashboard" link button of alert messages and the Home tab: Slack opens the dashboard in the browser
 * itself, and still sends the click to the app, which only acknowledges it (an unanswered click shows the user
 * a warning).
 */
import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { DASHBOARD_ACTION_ID } from '../../src/slack/blocks/alert.ts';

/** Registers the Dashboard link button. */
export function openDashboard(app: App, _deps: HandlerDeps): void {
  app.action(DASHBOARD_ACTION_ID, async ({ ack }) => {
    await ack();
  });
}
