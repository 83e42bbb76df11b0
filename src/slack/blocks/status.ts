/**
 * The answer to `/ontology status`: the last run of each monitor, the last snapshot (the integrity card), firing
 * alerts with their ids, silences with theirs (for `silence` / `unsilence`), the migration and approval state.
 * A pure function of an `OpsOverview` (`src/slack/overview.ts`).
 */
import type { OutboundMessage } from '../../alerts/ports.ts';
import type { OpsOverview } from '../overview.ts';
import { formatMetric } from '../../quality/severity.ts';
import { formatInstant } from './format.ts';
import {
  approvalsSection,
  dashboardLink,
  firingSection,
  integritySections,
  jobsSection,
  migrationSection,
  plain,
  silencesSection,
  STATUS_EMOJI,
} from './overview-sections.ts';

/** The status answer (blocks and its fallback text). */
export function statusMessage(overview: OpsOverview): OutboundMessage {
  const card = overview.integrity;
  const title = card
    ? `${STATUS_EMOJI[card.status]} Status: ${card.status}, integrity ${formatMetric('referentialIntegrityScore', card.score)} (snapshot of ${formatInstant(card.checkedAt)})`
    : 'Status: no check has run yet';
  const blocks: unknown[] = [{ type: 'header', text: plain(title) }, ...integritySections(overview), firingSection(overview)];
  const silences = silencesSection(overview);
  if (silences) blocks.push(silences);
  blocks.push(jobsSection(overview), migrationSection(overview), approvalsSection(overview));
  const link = dashboardLink(overview);
  if (link) blocks.push(link);
  const firing = overview.firing.length;
  const text = `${title}. ${firing === 0 ? 'No alert is firing' : `${firing} alert${firing === 1 ? '' : 's'} firing`}; ${overview.silences.length} silence(s).`;
  return { text, blocks };
}
