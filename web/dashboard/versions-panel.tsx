/** Entities by schema generation (a doughnut of v0 / v1) and the schema compliance score, counted now. */
import { useEffect, useRef } from 'preact/hooks';
import type { VersionsAnswer } from '../../src/dashboard/types.ts';
import { Chart, COLORS } from './charts.ts';
import { formatValue, STATUS_LABEL } from './format.ts';

/** The panel (`data-testid="schema-versions"`; the score is `schema-compliance`). */
export function VersionsPanel({ answer }: { answer: VersionsAnswer }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'doughnut'> | null>(null);
  const total = answer.v0Entities + answer.v1Entities;
  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, {
      type: 'doughnut',
      data: { labels: ['v1', 'v0'], datasets: [{ data: [0, 0], backgroundColor: [COLORS.v1, COLORS.v0], borderWidth: 0 }] },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        cutout: '68%',
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (item) => `${item.label}: ${formatValue(Number(item.raw), 'count')} entities` } },
        },
      },
    });
    return () => chart.current?.destroy();
  }, []);
  useEffect(() => {
    const current = chart.current;
    if (!current) return;
    current.data.datasets[0]!.data = [answer.v1Entities, answer.v0Entities];
    current.update();
  }, [answer.v0Entities, answer.v1Entities]);
  return (
    <section class="panel versions" data-testid="schema-versions">
      <header class="panel-head">
        <h2>Schema versions</h2>
        <span class="muted small">counted now</span>
      </header>
      <div class="versions-body">
        <div class="doughnut">
          <canvas ref={canvas} role="img" aria-label={`${answer.v1Entities} v1 and ${answer.v0Entities} v0 entities`} />
          <div class="doughnut-center">
            <div class={`compliance status-text-${answer.schemaComplianceStatus}`} data-testid="schema-compliance">
              {answer.schemaComplianceDisplay}
            </div>
            <div class="muted small">compliance</div>
          </div>
        </div>
        <ul class="legend">
          <li>
            <span class="swatch" style={{ background: COLORS.v1 }} />
            <span title="numeric schemaVersion ≥ 1">
              <strong>v1</strong> {formatValue(answer.v1Entities, 'count')} <span class="muted">({formatValue(answer.distributionPercentage.v1, 'percent')})</span>
            </span>
          </li>
          <li>
            <span class="swatch" style={{ background: COLORS.v0 }} />
            <span title="no numeric schemaVersion ≥ 1 (pre-v1 shape)">
              <strong>v0</strong> {formatValue(answer.v0Entities, 'count')} <span class="muted">({formatValue(answer.distributionPercentage.v0, 'percent')})</span>
            </span>
          </li>
          <li class="muted small">
            {formatValue(total, 'count')} entities · <span class={`dot status-${answer.schemaComplianceStatus}`} /> {STATUS_LABEL[answer.schemaComplianceStatus]}
          </li>
        </ul>
      </div>
    </section>
  );
}
