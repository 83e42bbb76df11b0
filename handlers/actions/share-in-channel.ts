/** The "Share in channel" button under a private answer: runs the same subcommand again and posts it in the channel. */
import type { App, BlockButtonAction } from '@slack/bolt';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { SHARE_ACTION_ID } from '../../src/slack/subcommand.ts';
import { router } from '../commands/index.ts';

/** Registers the Share button. */
export function shareInChannel(app: App, deps: HandlerDeps): void {
  app.action<BlockButtonAction>(SHARE_ACTION_ID, async ({ ack, body, action, client }) => {
    await ack();
    await router.dispatch(
      {
        text: action.value ?? '',
        target: { responseUrl: body.response_url ?? null, channelId: body.channel?.id ?? body.user.id, userId: body.user.id },
        client,
        share: true,
      },
      deps,
    );
  });
}
