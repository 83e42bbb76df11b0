/** The composer's `/ontology` hint lists exactly the subcommands the bot knows, with the bot's own usage lines. */
import { describe, expect, it } from 'vitest';
import { SUBCOMMANDS } from '../../handlers/commands/index.ts';
import { SUBCOMMAND_HINTS } from '../../web/workspace/subcommand-hints.ts';

describe('the composer hint', () => {
  it('lists every subcommand of the router with its usage, and nothing else', () => {
    expect(SUBCOMMAND_HINTS.map(([usage]) => usage).sort()).toEqual(SUBCOMMANDS.map((subcommand) => subcommand.usage).sort());
  });
});
