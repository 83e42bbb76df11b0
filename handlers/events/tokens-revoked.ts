/** `tokens_revoked`: when the bot token is among them, logged, and the outbox holds its messages until a new token. */
import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { markTokenRevoked } from '../../src/slack/access.ts';

/** Registers `tokens_revoked`. */
export function tokensRevoked(app: App, deps: HandlerDeps): void {
  app.event('tokens_revoked', async ({ event }) => {
    // Slack lists the revoked tokens by the user ids they belonged to; this app only holds a bot token.
    const bot = event.tokens.bot ?? [];
    if (bot.length === 0) return;
    if (deps.config.slack.botToken) markTokenRevoked(deps.config.slack.botToken, { event: 'tokens_revoked', at: deps.now() });
    deps.log(
      `slack: the bot token was revoked (${bot.length} bot token(s)): alerts wait in the outbox; reinstall the app, set SLACK_BOT_TOKEN to its new bot token and restart.`,
    );
  });
}
