/**
 * "What to do next" in Slack: the remediation table (`src/quality/remediation.ts`, quoted by the metrics guide)
 * names CLI commands, which a Slack user does not have; an alert shows each step with the `/ontology` command or
 * button that does the same in Slack.
 */

/** CLI command → what a Slack user runs instead, most specific first. */
const SLACK_EQUIVALENTS: ReadonlyArray<readonly [string, string]> = [
  ['`ontology-ops check --json`', '`/ontology integrity --limit 25`'],
  ['`ontology-ops check`', '`/ontology integrity`'],
  ['`ontology-ops versions` (per group with `--group <id>`)', '`/ontology versions` (per group: `/ontology versions <group>`)'],
  ['`ontology-ops monitor run <job>`', 'the Run check now button below'],
  ['`ontology-ops monitor status`', '`/ontology status`'],
  ['`ontology-ops migration-status`', '`/ontology status`'],
  ['`ontology-ops migrate --dry-run`', '`/ontology migrate --dry-run`'],
  ['`ontology-ops fix orphans --dry-run`', '`/ontology fix orphans --dry-run`'],
  ['`ontology-ops fix orphans`', '`/ontology fix orphans`'],
  ['`ontology-ops rollback --run <id>`', '`/ontology rollback <id>`'],
  ['`ontology-ops metrics`', '`/ontology metrics`'],
  ['`ontology-ops audit ', '`/ontology audit '],
];

/** A remediation step or error as a Slack user can follow it: every CLI command replaced by its `/ontology` equivalent. */
export function slackStep(text: string): string {
  return SLACK_EQUIVALENTS.reduce((result, [cli, slack]) => result.split(cli).join(slack), text);
}
