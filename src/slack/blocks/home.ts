/**
 * The App Home tab: a Dashboard link (when `DASHBOARD_URL` is set), the integrity card (status, score, counts against thresholds, last and next check), firing
 * alerts, the last run of each job, the approvals waiting (the viewer's first) with a link to each request and its
 * Approve / Reject buttons, and the migration state. A pure
 * function of an `OpsOverview` (`src/slack/overview.ts`), published with `views.publish` when a user opens the
 * tab and after each monitor run.
 */
import type { OpsOverview } from '../overview.ts';
import { slackDate } from './format.ts';
import {
  approvalRequestBlocks,
  dashboardLink,
  firingSection,
  integritySections,
  jobsSection,
  migrationSection,
  mrkdwn,
  plain,
  silencesSection,
  STATUS_EMOJI,
} from './overview-sections.ts';

/** A Home tab view, as `views.publish` takes it. */
export interface HomeView {
  type: 'home';
  blocks: unknown[];
}

/** Slack's limit of blocks in a Home tab view. */
export const HOME_MAX_BLOCKS = 100;

/** The Home tab of `viewer` (a Slack user id) at the overview's time. */
export function homeView(overview: OpsOverview): HomeView {
  const status = overview.integrity?.status;
  const divider = { type: 'divider' };
  const blocks: unknown[] = [
    { type: 'header', text: plain(`${status ? `${STATUS_EMOJI[status]} ` : ''}Ontology data quality`) },
    ...[dashboardLink(overview)].filter((block) => block !== null),
    ...integritySections(overview),
    divider,
    firingSection(overview),
  ];
  const silences = silencesSection(overview);
  if (silences) blocks.push(silences);
  blocks.push(divider, jobsSection(overview), divider, ...approvalRequestBlocks(overview), divider, migrationSection(overview));
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`Updated ${slackDate(overview.at)} · refreshed after every monitor run · \`/ontology status\` for the same in a channel`)],
  });
  return { type: 'home', blocks };
}
