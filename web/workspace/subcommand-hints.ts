/** The `/ontology` subcommands the composer suggests (pure data: the page and a test import it). */

/**
 * What the composer's hint lists when you type `/`: each `/ontology` subcommand's usage (exactly the bot's, a test
 * checks) and what it does.
 */
export const SUBCOMMAND_HINTS = [
  ['help', 'What each command does'],
  ['integrity [group] [--limit N]', 'Integrity check with top issues'],
  ['metrics [group]', 'The seven data-quality metrics'],
  ['status', 'Monitors, alerts, migration and approvals'],
  ['trend [days] [group]', 'Metrics over time'],
  ['versions [group]', 'Schema versions in use'],
  ['audit <entityId>', "One entity's references"],
  ['migrate [--dry-run | --validate-only]', 'Request the v1 groupId migration'],
  ['rollback <runId | backupFile> [--dry-run | --verify]', 'Request a rollback'],
  ['fix <orphans> [groupId] [--dry-run]', 'Request a fix of orphaned references'],
  ['silence <alert> <duration> [reason]', 'Silence an alert'],
  ['unsilence <silence>', 'End a silence'],
] as const;
