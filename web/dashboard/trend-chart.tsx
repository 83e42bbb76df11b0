/**
 * One metric's trend: its daily values as a line over real dates, and its threshold bounds as dashed lines
 * (healthy green, the critical edge red). The axis spans the snapshots (a lone one sits in the middle); up to
 * LABELLED_POINTS points each carry their value and their date on the axis, more show the last value only; a
 * tooltip gives the date and value of the nearest point.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { TrendSeries } from '../../src/dashboard/types.ts';
import { Chart, COLORS, type ChartConfiguration, type Plugin } from './charts.ts';
import { formatInstant, formatValue } from './format.ts';
import { axisRange, LABELLED_POINTS, tickLabel, tickTimes } from './time-axis.ts';

interface Props {
  series: TrendSeries;
  from: number;
  to: number;
}

type Point = { x: number; y: number };

/**
 * Writes each shown point's value above it, kept inside the plot, and lists what it wrote on the canvas
 * (`data-point-labels`: text and position), so what the chart says can be read without looking at pixels.
 */
function pointLabels(unit: TrendSeries['unit']): Plugin<'line'> {
  return {
    id: 'pointLabels',
    afterDatasetsDraw(chart) {
      const meta = chart.getDatasetMeta(0);
      const points = meta.data;
      const data = chart.data.datasets[0]?.data as Point[] | undefined;
      if (!data || points.length === 0) return;
      const shown = points.length <= LABELLED_POINTS ? points.map((_, index) => index) : [points.length - 1];
      const { ctx, chartArea } = chart;
      const drawn: { text: string; at: number; x: number; y: number }[] = [];
      ctx.save();
      ctx.font = '600 10px Inter, "Segoe UI", system-ui, sans-serif';
      ctx.fillStyle = COLORS.value;
      for (const index of shown) {
        const point = points[index]!;
        const text = formatValue(data[index]!.y, unit);
        const width = ctx.measureText(text).width;
        const x = Math.min(Math.max(point.x - width / 2, chartArea.left), chartArea.right - width);
        // Above the point, or below it when there is no room above.
        const above = point.y - 8 - 10 >= chartArea.top;
        const y = above ? point.y - 8 : point.y + 8;
        ctx.textBaseline = above ? 'bottom' : 'top';
        ctx.textAlign = 'left';
        ctx.fillText(text, x, y);
        drawn.push({
          text,
          at: data[index]!.x,
          x: Math.round(point.x),
          y: Math.round(point.y),
        });
      }
      ctx.restore();
      chart.canvas.dataset.pointLabels = JSON.stringify(drawn);
    },
  };
}

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
  const times = series.points.map((point) => point.at);
  const { min, max } = axisRange(times, from, to);
  const ticks = tickTimes(times, min, max);
  const few = series.points.length <= LABELLED_POINTS;
  return {
    type: 'line',
    plugins: [pointLabels(series.unit)],
    data: {
      datasets: [
        {
          label: series.title,
          data: series.points.map((point) => ({ x: point.at, y: point.value })),
          borderColor: COLORS.value,
          backgroundColor: COLORS.valueFill,
          borderWidth: 2,
          pointRadius: few ? 4 : 2.5,
          pointHoverRadius: 6,
          pointHitRadius: 12,
          pointBackgroundColor: COLORS.value,
          tension: 0.25,
          fill: true,
        },
        ...boundLines(series, min, max),
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', intersect: false },
      layout: { padding: { top: 14, right: 8, left: 2 } },
      scales: {
        x: {
          type: 'linear',
          min,
          max,
          grid: { color: COLORS.grid },
          afterBuildTicks: (axis) => {
            axis.ticks = ticks.map((value) => ({ value }));
          },
          ticks: {
            autoSkip: true,
            maxRotation: 0,
            font: { size: 10 },
            callback: (value) => tickLabel(Number(value), ticks),
          },
        },
        y: {
          grid: { color: COLORS.grid },
          grace: '8%',
          ticks: {
            maxTicksLimit: 4,
            font: { size: 10 },
            callback: (value) => formatValue(Number(value), series.unit),
          },
          ...(series.unit === 'count' ? { beginAtZero: true } : {}),
          // A share never exceeds 100 %: near the top the axis ends there rather than at an impossible 120 %.
          ...(series.unit === 'percent' && reachesFullShare(series) ? { max: 100, grace: 0 } : {}),
        },
      },
      plugins: {
        legend: {
          position: 'bottom',
          labels: {
            boxWidth: 14,
            boxHeight: 1,
            font: { size: 10 },
            padding: 8,
            filter: (item) => item.datasetIndex !== 0,
          },
        },
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
        <span class="trend-last" title={last ? formatInstant(last.at) : undefined}>
          {last ? formatValue(last.value, series.unit) : 'no data'}
        </span>
      </figcaption>
      <div class="trend-meta">
        <code>{series.metric}</code> · {series.unit === 'percent' ? '%' : 'count'} · {series.better === 'higher' ? '↑' : '↓'} better
      </div>
      <div class="trend-canvas">
        <canvas ref={canvas} role="img" aria-label={`${series.title} over time, with its threshold lines`} />
      </div>
      <table class="sr-only" data-testid={`trend-points-${series.metric}`}>
        <caption>{series.title} by snapshot</caption>
        <tbody>
          {series.points.map((point) => (
            <tr key={point.at}>
              <th scope="row">{formatInstant(point.at)}</th>
              <td>{formatValue(point.value, series.unit)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
