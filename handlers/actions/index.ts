/** Buttons (`block_actions`): one kebab-case file per button. */
import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { acknowledgeAlert } from './acknowledge-alert.ts';
import { runCheckNow } from './run-check-now.ts';
import { silenceAlert } from './silence-alert.ts';

/** Registers the button handlers on `app`. */
export function register(app: App, deps: HandlerDeps): void {
  acknowledgeAlert(app, deps);
  silenceAlert(app, deps);
  runCheckNow(app, deps);
}
