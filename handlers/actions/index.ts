/** Buttons (`block_actions`): one kebab-case file per button. */
import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { approveRequest } from './approve-request.ts';
import { rejectRequest } from './reject-request.ts';
import { requestRollback } from './request-rollback.ts';

/** Registers the button handlers on `app`. */
export function register(app: App, deps: HandlerDeps): void {
  approveRequest(app, deps);
  rejectRequest(app, deps);
  requestRollback(app, deps);
}
