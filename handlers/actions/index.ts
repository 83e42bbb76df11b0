/** Buttons (`block_actions`): one kebab-case file per button. */
import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { approveRequest } from './approve-request.ts';
import { rejectRequest } from './reject-request.ts';
import { proposeFix } from './propose-fix.ts';
import { requestRollback } from './request-rollback.ts';
import { acknowledgeAlert } from './acknowledge-alert.ts';
import { openDashboard } from './open-dashboard.ts';
import { runCheckNow } from './run-check-now.ts';
import { runSubcommand } from './run-subcommand.ts';
import { shareInChannel } from './share-in-channel.ts';
import { silenceAlert } from './silence-alert.ts';
import { unacknowledgeAlert } from './unacknowledge-alert.ts';
import { unsilenceAlert } from './unsilence-alert.ts';

/** Registers the button handlers on `app`. */
export function register(app: App, deps: HandlerDeps): void {
  shareInChannel(app, deps);
  runSubcommand(app, deps);
  approveRequest(app, deps);
  rejectRequest(app, deps);
  requestRollback(app, deps);
  proposeFix(app, deps);
  acknowledgeAlert(app, deps);
  silenceAlert(app, deps);
  unacknowledgeAlert(app, deps);
  unsilenceAlert(app, deps);
  runCheckNow(app, deps);
  openDashboard(app, deps);
}
