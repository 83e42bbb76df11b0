/** Registers every Slack entry point on the Bolt app: slash commands, buttons, modals and events. */
import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../src/slack/app.ts';
import { register as registerActions } from './actions/index.ts';
import { register as registerCommands } from './commands/index.ts';
import { register as registerEvents } from './events/index.ts';
import { register as registerViews } from './views/index.ts';

/** Registers all handlers on `app`. */
export function register(app: App, deps: HandlerDeps): void {
  registerCommands(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  registerEvents(app, deps);
}
