/**
 * `/ontology <subcommand> …`: the table of subcommands (one kebab-case file each) and the slash command's
 * registration. A new subcommand is one file plus one line in `SUBCOMMANDS`; the usage text, the manifest test
 * and `help` follow from the table.
 */
import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { createRouter, SLASH_COMMAND, type AnySubcommand } from '../../src/slack/subcommand.ts';
import { audit } from './audit.ts';
import { fix } from './fix.ts';
import { help } from './help.ts';
import { integrity } from './integrity.ts';
import { metrics } from './metrics.ts';
import { migrate } from './migrate.ts';
import { rollback } from './rollback.ts';
import { silence } from './silence.ts';
import { status } from './status.ts';
import { trend } from './trend.ts';
import { unsilence } from './unsilence.ts';
import { versions } from './versions.ts';

/** Every subcommand, in the order `help` lists them. */
export const SUBCOMMANDS: readonly AnySubcommand[] = [help, integrity, metrics, audit, versions, trend, status, migrate, rollback, fix, silence, unsilence];

/** The router over `SUBCOMMANDS` (buttons that re-run a subcommand use it too). */
export const router = createRouter(SUBCOMMANDS);

/** Registers `/ontology` on `app`. */
export function register(app: App, deps: HandlerDeps): void {
  app.command(SLASH_COMMAND, async ({ command, ack, client }) => {
    await router.dispatch(
      {
        text: command.text,
        target: { responseUrl: command.response_url, channelId: command.channel_id, userId: command.user_id },
        client,
        ack: async (message) => {
          await ack(message as never);
        },
      },
      deps,
    );
  });
}
