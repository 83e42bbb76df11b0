/**
 * The integrity card: status and referential integrity score of the latest daily snapshot, the counts the
 * metrics guide puts on it (orphaned, cross-group, missing groupIds, malformed) against their thresholds, and the
 * last and next check.
 */
import type { IntegrityAnswer, IntegrityMetric } from '../../src/dashboard/types.ts';
import { formatInstant, formatValue, relative, STATUS_LABEL } from './format.ts';

/** The card's tiles, in the guide's order (the score is the headline), with their short names. */
const TILES = {
  orphanedEntityCount: 'Orphaned',
  crossGroupViolations: 'Cross-group',
  missingGroupIds: 'Missing groupIds',
  malformedPropertiesPercent: 'Malformed',
} as const;

/** The other subjects of the snapshot, shown on one line under the tiles, each with its status dot. */
const ALSO = ['schemaComplianceScore', 'eventArchivalProgress', 'invalidMetadataCount'] as const;

function Tile({ metric, label, extra }: { metric: IntegrityMetric; label: string; extra?: string }) {
  return (
    <div class={`tile status-${metric.status}`} data-testid={`integrity-${metric.metric}`} title={`${metric.title} (${metric.metric})`}>
      <div class="tile-title">{label}</div>
      <div class="tile-value">{metric.display}</div>
      {extra ? <div class="tile-extra">{extra}</div> : null}
      <div class="tile-threshold">
        <span class={`dot status-${metric.status}`} /> {metric.threshold}
      </div>
    </div>
  );
}

/** The card (`data-testid="integrity-card"`); an empty state until the daily job has written a snapshot. */
export function IntegrityCard({ answer, onRun }: { answer: IntegrityAnswer; onRun: () => void }) {
  const { card } = answer;
  const next = answer.nextCheck ? `${answer.nextCheck.job} ${formatInstant(answer.nextCheck.at)} (${relative(answer.nextCheck.at, answer.at)})` : 'none scheduled';
  const last = answer.lastCheck
    ? `${answer.lastCheck.job} ${formatInstant(answer.lastCheck.startedAt)} · ${answer.lastCheck.outcome.replace('_', ' ')}`
    : 'never';
  const footer = (
    <dl class="checks">
      <div>
        <dt>Last check</dt>
        <dd data-testid="last-check">{last}</dd>
      </div>
      <div>
        <dt>Next check</dt>
        <dd data-testid="next-check">{next}</dd>
      </div>
    </dl>
  );
  if (!card) {
    return (
      <section class="panel integrity" data-testid="integrity-card">
        <header class="panel-head">
          <h2>Integrity</h2>
        </header>
        <div class="empty">
          <p>No daily snapshot yet: run the daily check.</p>
          <button type="button" class="secondary" onClick={onRun} disabled={answer.dailyRunning}>
            Run daily check now
          </button>
        </div>
        {footer}
      </section>
    );
  }
  const byName = new Map(card.metrics.map((metric) => [metric.metric, metric]));
  const score = byName.get('referentialIntegrityScore');
  return (
    <section class={`panel integrity status-edge-${card.status}`} data-testid="integrity-card">
      <header class="panel-head">
        <h2>Integrity</h2>
        <span class={`pill status-${card.status}`} data-testid="integrity-status">
          {STATUS_LABEL[card.status]}
        </span>
      </header>
      <div class="score-row">
        <div>
          <div class="score" data-testid="integrity-score">
            {score ? score.display : formatValue(card.score, 'percent')}
          </div>
          <div class="score-label">
            Referential integrity score
            {score ? (
              <span class={`score-threshold status-${score.status}`}>
                {' '}
                · <span class={`dot status-${score.status}`} /> {score.threshold}
              </span>
            ) : null}
          </div>
        </div>
        <div class="snapshot-time">
          Snapshot of the daily check
          <br />
          <strong>{formatInstant(card.checkedAt)}</strong>
        </div>
      </div>
      <div class="tiles">
        {Object.entries(TILES).map(([name, label]) => {
          const metric = byName.get(name);
          if (!metric) return null;
          const extra = name === 'malformedPropertiesPercent' ? `${formatValue(card.malformedPropertiesCount, 'count')} entities` : undefined;
          return <Tile key={name} metric={metric} label={label} extra={extra} />;
        })}
      </div>
      <div class="also">
        {ALSO.map((name) => {
          const metric = byName.get(name);
          return metric ? (
            <span key={name} title={metric.threshold} data-testid={`integrity-${name}`}>
              <span class={`dot status-${metric.status}`} /> {metric.title} <strong>{metric.display}</strong>
            </span>
          ) : null;
        })}
      </div>
      {footer}
    </section>
  );
}
