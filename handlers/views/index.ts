/** Modal submissions (`view_submission`): one kebab-case file per modal. */
import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { rejectReason } from './reject-reason.ts';
import { silenceReason } from './silence-reason.ts';

/** Registers the modal handlers on `app`. */
export function register(app: App, deps: HandlerDeps): void {
  silenceReason(app, deps);
  rejectReason(app, deps);
}
