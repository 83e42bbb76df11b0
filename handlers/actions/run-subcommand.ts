/** A next-step button ("Metrics", "Audit …", "Integrity check"): runs the subcommand its value names, privately. */
import type { App, BlockButtonAction } from '@slack/bolt';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { RUN_SUBCOMMAND_ACTION_PATTERN } from '../../src/slack/subcommand.ts';
import { router } from '../commands/index.ts';

/** Registers the next-step buttons. */
export function runSubcommand(app: App, deps: HandlerDeps): void {
  app.action<BlockButtonAction>({ type: 'block_actions', action_id: RUN_SUBCOMMAND_ACTION_PATTERN }, async ({ ack, body, action, client }) => {
    await ack();
    await router.dispatch(
      {
        text: action.value ?? '',
        target: { responseUrl: body.response_url ?? null, channelId: body.channel?.id ?? body.user.id, userId: body.user.id },
        client,
      },
      deps,
    );
  });
}
