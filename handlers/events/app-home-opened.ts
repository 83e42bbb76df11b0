/** `app_home_opened`: publishes the viewer's Home tab and remembers them for the refresh after each monitor run. */
import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { handlerError } from '../../src/slack/handler-error.ts';
import { publishHome, recordHomeViewer } from '../../src/slack/home.ts';

/** Registers `app_home_opened`. */
export function appHomeOpened(app: App, deps: HandlerDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    try {
      await recordHomeViewer(deps.backend.meta, event.user, deps.now());
      await publishHome(client, event.user, deps);
    } catch (error) {
      handlerError(error, deps, 'Publishing the Home tab');
    }
  });
}
