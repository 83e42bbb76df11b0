/**
 * One metric's trend: its daily values as a line, and its threshold bounds as dashed lines (healthy green, the
 * critical edge red; a warning band's upper edge amber), over the whole window.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { TrendSeries } from '../../src/dashboard/types.ts';
import { Chart, COLORS, type ChartConfiguration } from './charts.ts';
import { formatDay, formatInstant, formatValue } from './format.ts';

interface Props {
  series: TrendSeries;
  from: number;
  to: number;
}

type Point = { x: number; y: number };

/** The dashed bound lines of a metric: where healthy ends and where critical begins. */
function boundLines(series: TrendSeries, from: number, to: number): ChartConfiguration<'line', Point[]>['data']['datasets'] {
  const bounds = series.thresholds;
  if (!bounds) return [];
  const worse = series.better === 'higher' ? '<' : '>';
  const better = series.better === 'higher' ? '≥' : '≤';
  const line = (value: number, label: string, color: string) => ({
    label,
    data: [
      { x: from, y: value },
      { x: to, y: value },
    ],
    borderColor: color,
    borderWidth: 1.5,
    borderDash: [6, 4],
    pointRadius: 0,
    pointHoverRadius: 0,
    fill: false,
  });
  if (bounds.warning === null) return [line(bounds.healthy, `critical ${worse} ${formatValue(bounds.healthy, series.unit)}`, COLORS.critical)];
  return [
    line(bounds.healthy, `healthy ${better} ${formatValue(bounds.healthy, series.unit)}`, COLORS.healthy),
    line(bounds.warning, `critical ${worse} ${formatValue(bounds.warning, series.unit)}`, COLORS.critical),
  ];
}

/** True when a share's values or bounds come within the axis' grace of 100 %. */
function reachesFullShare(series: TrendSeries): boolean {
  const bounds = series.thresholds ? [series.thresholds.healthy, series.thresholds.warning ?? 0] : [];
  const highest = Math.max(0, ...series.points.map((point) => point.value), ...bounds);
  return highest * 1.08 >= 100;
}

function configuration(series: TrendSeries, from: number, to: number): ChartConfiguration<'line', Point[]> {
  return {
    type: 'line',
    data: {
      datasets: [
        {
          label: series.title,
          data: series.points.map((point) => ({ x: point.at, y: point.value })),
          borderColor: COLORS.value,
          backgroundColor: COLORS.valueFill,
          borderWidth: 2,
          pointRadius: 2.5,
          pointBackgroundColor: COLORS.value,
          tension: 0.25,
          fill: true,
        },
        ...boundLines(series, from, to),
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', intersect: false },
      layout: { padding: { top: 4, right: 6 } },
      scales: {
        x: {
          type: 'linear',
          min: from,
          max: to,
          grid: { color: COLORS.grid },
          ticks: { maxTicksLimit: 5, maxRotation: 0, font: { size: 10 }, callback: (value) => formatDay(Number(value)) },
        },
        y: {
          grid: { color: COLORS.grid },
          grace: '8%',
          ticks: { maxTicksLimit: 4, font: { size: 10 }, callback: (value) => formatValue(Number(value), series.unit) },
          ...(series.unit === 'count' ? { beginAtZero: true } : {}),
          // A share never exceeds 100 %: near the top the axis ends there rather than at an impossible 120 %.
          ...(series.unit === 'percent' && reachesFullShare(series) ? { max: 100, grace: 0 } : {}),
        },
      },
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 14, boxHeight: 1, font: { size: 10 }, padding: 8, filter: (item) => item.datasetIndex !== 0 } },
        tooltip: {
          filter: (item) => item.datasetIndex === 0,
          callbacks: {
            title: (items) => formatInstant(Number(items[0]?.parsed.x ?? 0)),
            label: (item) => `${series.title}: ${formatValue(Number(item.parsed.y), series.unit)}`,
          },
        },
      },
    },
  };
}

/** A small line chart of one metric (`data-testid="trend-<metric>"`). */
export function TrendChart({ series, from, to }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'line', Point[]> | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, configuration(series, from, to));
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    const current = chart.current;
    if (!current) return;
    const next = configuration(series, from, to);
    current.data = next.data;
    current.options = next.options!;
    current.update();
  }, [series, from, to]);
  const last = series.points.at(-1);
  return (
    <figure class="trend" data-testid={`trend-${series.metric}`}>
      <figcaption>
        <span class="trend-title">{series.title}</span>
        <span class="trend-last">{last ? formatValue(last.value, series.unit) : 'no data'}</span>
      </figcaption>
      <div class="trend-meta">
        <code>{series.metric}</code> · {series.unit === 'percent' ? '%' : 'count'} · {series.better === 'higher' ? '↑' : '↓'} better
      </div>
      <div class="trend-canvas">
        <canvas ref={canvas} role="img" aria-label={`${series.title} over time, with its threshold lines`} />
      </div>
    </figure>
  );
}
