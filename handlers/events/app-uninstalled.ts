/** `app_uninstalled`: the bot token is dead; logged, and the outbox holds its messages until the app is reinstalled. */
import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { markTokenRevoked } from '../../src/slack/access.ts';

/** Registers `app_uninstalled`. */
export function appUninstalled(app: App, deps: HandlerDeps): void {
  app.event('app_uninstalled', async () => {
    const at = deps.now();
    if (deps.config.slack.botToken) markTokenRevoked(deps.config.slack.botToken, { event: 'app_uninstalled', at });
    deps.log(
      'slack: the app was uninstalled from the workspace: alerts wait in the outbox; reinstall the app, set SLACK_BOT_TOKEN to its new bot token and restart.',
    );
  });
}
