/**
 * The weekly summary's picture: one small panel per metric (its daily values over the week as a line, and its
 * threshold lines: green where healthy ends, red where warning ends), drawn as SVG here and rendered to PNG by
 * resvg (`@resvg/resvg-js`, prebuilt inside its npm package). Text uses the Inter font shipped by
 * `@expo-google-fonts/inter`, never a font the machine happens to have, so the picture is the same everywhere.
 *
 * Pure: the same data gives the same bytes. Not for Convex functions (resvg is a native addon).
 */
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';

/** One metric's week. */
export interface ChartSeries {
  /** Display title (`Referential integrity score`). */
  title: string;
  unit: 'percent' | 'count';
  /** Daily values, oldest first: when (ms) and the value. */
  points: { at: number; value: number }[];
  /**
   * The metric's threshold row, or null for a metric without one. `healthy` is drawn green, `warning` (where
   * critical starts) red.
   */
  threshold: { better: 'higher' | 'lower'; healthy: number; warning: number | null } | null;
}

/** What the chart shows: the week and one series per metric, in display order. */
export interface WeeklyChartData {
  from: number;
  to: number;
  series: ChartSeries[];
}

/** A rectangle in image pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Layout constants, exported so tests can find what was drawn where. */
export const WEEKLY_CHART_LAYOUT = {
  width: 1200,
  columns: 4,
  headerHeight: 56,
  panelWidth: 300,
  panelHeight: 230,
  footerHeight: 28,
  /** Plot area inside a panel: left margin for the y labels, top for the title, bottom for the dates. */
  plotInset: { left: 58, right: 14, top: 46, bottom: 30 },
} as const;

/** Colours of what is drawn; threshold colours are what a reader (and the tests) look for. */
export const WEEKLY_CHART_COLOURS = {
  background: '#ffffff',
  text: '#1d1c1d',
  muted: '#616061',
  grid: '#e8e8e8',
  line: '#1264a3',
  healthyLine: '#2eb67d',
  criticalLine: '#e01e5a',
} as const;

/** Where panel `index` sits (row-major, `columns` per row). */
export function panelRect(index: number): Rect {
  const { columns, headerHeight, panelWidth, panelHeight } = WEEKLY_CHART_LAYOUT;
  return { x: (index % columns) * panelWidth, y: headerHeight + Math.floor(index / columns) * panelHeight, width: panelWidth, height: panelHeight };
}

/** The plot area of panel `index`: values map linearly from the domain onto its height (low at the bottom). */
export function plotRect(index: number): Rect {
  const panel = panelRect(index);
  const { left, right, top, bottom } = WEEKLY_CHART_LAYOUT.plotInset;
  return { x: panel.x + left, y: panel.y + top, width: panel.width - left - right, height: panel.height - top - bottom };
}

/** The image height for `count` panels. */
export function chartHeight(count: number): number {
  const { columns, headerHeight, panelHeight, footerHeight } = WEEKLY_CHART_LAYOUT;
  return headerHeight + Math.max(1, Math.ceil(count / columns)) * panelHeight + footerHeight;
}

/** A round step near `rough`: 1, 2, 2.5 or 5 times a power of ten. */
function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const scaled = rough / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 2.5 ? 2.5 : scaled <= 5 ? 5 : 10) * power;
}

/**
 * The value range a panel's y axis spans and its tick step: every value and threshold line, widened by 10% of
 * the span on each side (a flat series by 10% of its value, or by 1 at 0), then out to whole steps (about four
 * per axis; whole numbers for counts). Never below 0 (metrics are never negative), never above 100%.
 */
export function valueDomain(series: ChartSeries): { low: number; high: number; step: number } {
  const values = series.points.map((point) => point.value);
  if (series.threshold) {
    values.push(series.threshold.healthy);
    if (series.threshold.warning !== null) values.push(series.threshold.warning);
  }
  if (values.length === 0) values.push(0);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const pad = max > min ? (max - min) * 0.1 : Math.abs(max) * 0.1 || 1;
  let step = niceStep((max - min + 2 * pad) / 4);
  if (series.unit === 'count') step = Math.max(1, step);
  // Rounded to the step's precision so 0.1 + 0.2 style remainders never widen the axis by a step.
  const snap = (value: number) => Number(value.toPrecision(12));
  const low = Math.max(0, snap(Math.floor(snap((min - pad) / step)) * step));
  let high = snap(Math.ceil(snap((max + pad) / step)) * step);
  if (series.unit === 'percent' && max <= 100) high = Math.min(high, 100);
  return { low, high: high > low ? high : low + step, step };
}

const DAY_MS = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function dayLabel(ms: number): string {
  const date = new Date(ms);
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A tick label: `99.5%`, `1.2k`, `12`, with as many decimals as the step needs. */
function tickLabel(value: number, unit: ChartSeries['unit'], step: number): string {
  const decimals = Math.max(0, Math.min(4, -Math.floor(Math.log10(step) + 1e-9) + (Number.isInteger(step * 10 ** -Math.floor(Math.log10(step))) ? 0 : 1)));
  if (unit === 'percent') return `${value.toFixed(decimals)}%`;
  if (Math.abs(value) >= 10_000) return `${Number((value / 1000).toFixed(1))}k`;
  return value.toFixed(decimals);
}

function valueText(value: number, unit: ChartSeries['unit']): string {
  return unit === 'percent' ? `${Number(value.toFixed(2))}%` : value.toLocaleString('en-US');
}

function text(x: number, y: number, content: string, attributes: string): string {
  return `<text x="${x}" y="${y}" ${attributes}>${escapeXml(content)}</text>`;
}

function panelSvg(series: ChartSeries, index: number, data: WeeklyChartData): string {
  const colours = WEEKLY_CHART_COLOURS;
  const panel = panelRect(index);
  const plot = plotRect(index);
  const { low, high, step } = valueDomain(series);
  const yOf = (value: number) => plot.y + plot.height - ((value - low) / (high - low)) * plot.height;
  // The x axis is the whole week, so a missing day shows as a gap in time rather than being squeezed out.
  const span = Math.max(DAY_MS, data.to - data.from);
  const xOf = (at: number) => plot.x + Math.min(1, Math.max(0, (at - data.from) / span)) * plot.width;
  const parts: string[] = [];
  const last = series.points.at(-1);
  parts.push(text(panel.x + 14, panel.y + 20, series.title, `font-size="14" font-weight="600" fill="${colours.text}"`));
  parts.push(text(panel.x + 14, panel.y + 36, last ? `now ${valueText(last.value, series.unit)}` : 'no data', `font-size="12" fill="${colours.muted}"`));
  // Grid and y labels at every step.
  for (let tick = 0; low + tick * step <= high + step * 1e-9; tick++) {
    const value = low + tick * step;
    const y = yOf(value);
    parts.push(`<line x1="${plot.x}" y1="${y}" x2="${plot.x + plot.width}" y2="${y}" stroke="${colours.grid}" stroke-width="1"/>`);
    parts.push(text(plot.x - 6, y + 4, tickLabel(value, series.unit, step), `font-size="11" text-anchor="end" fill="${colours.muted}"`));
  }
  parts.push(text(plot.x, plot.y + plot.height + 18, dayLabel(data.from), `font-size="11" fill="${colours.muted}"`));
  parts.push(text(plot.x + plot.width, plot.y + plot.height + 18, dayLabel(data.to), `font-size="11" text-anchor="end" fill="${colours.muted}"`));
  if (series.threshold) {
    const lines: [number | null, string][] = [
      [series.threshold.healthy, colours.healthyLine],
      [series.threshold.warning, colours.criticalLine],
    ];
    for (const [value, colour] of lines) {
      if (value === null) continue;
      const y = yOf(value);
      parts.push(`<line x1="${plot.x}" y1="${y}" x2="${plot.x + plot.width}" y2="${y}" stroke="${colour}" stroke-width="2" stroke-dasharray="6 4"/>`);
    }
  }
  if (series.points.length > 0) {
    const coordinates = series.points.map((point) => `${xOf(point.at).toFixed(1)},${yOf(point.value).toFixed(1)}`);
    if (coordinates.length > 1) {
      parts.push(`<polyline points="${coordinates.join(' ')}" fill="none" stroke="${colours.line}" stroke-width="2.5" stroke-linejoin="round"/>`);
    }
    for (const coordinate of coordinates) {
      const [x, y] = coordinate.split(',');
      parts.push(`<circle cx="${x}" cy="${y}" r="3.5" fill="${colours.line}"/>`);
    }
  }
  return parts.join('\n');
}

/** The chart as an SVG document (what `renderWeeklyChart` rasterises). */
export function weeklyChartSvg(data: WeeklyChartData): string {
  const { width, headerHeight } = WEEKLY_CHART_LAYOUT;
  const colours = WEEKLY_CHART_COLOURS;
  const height = chartHeight(data.series.length);
  const title = `Data quality, ${dayLabel(data.from)} – ${dayLabel(data.to)} ${new Date(data.to).getUTCFullYear()} (platform-wide, daily)`;
  const legendY = height - 10;
  const body = [
    `<rect width="${width}" height="${height}" fill="${colours.background}"/>`,
    text(14, headerHeight / 2 + 8, title, `font-size="20" font-weight="600" fill="${colours.text}"`),
    ...data.series.map((series, index) => panelSvg(series, index, data)),
    `<line x1="14" y1="${legendY - 4}" x2="40" y2="${legendY - 4}" stroke="${colours.healthyLine}" stroke-width="2" stroke-dasharray="6 4"/>`,
    text(46, legendY, 'healthy threshold', `font-size="12" fill="${colours.muted}"`),
    `<line x1="170" y1="${legendY - 4}" x2="196" y2="${legendY - 4}" stroke="${colours.criticalLine}" stroke-width="2" stroke-dasharray="6 4"/>`,
    text(202, legendY, 'critical threshold', `font-size="12" fill="${colours.muted}"`),
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Inter">\n${body.join('\n')}\n</svg>\n`;
}

const require = createRequire(import.meta.url);
/** The fonts the chart uses, from their npm package (resolved once). */
const FONT_FILES = [
  require.resolve('@expo-google-fonts/inter/400Regular/Inter_400Regular.ttf'),
  require.resolve('@expo-google-fonts/inter/600SemiBold/Inter_600SemiBold.ttf'),
];

/** The weekly chart as PNG bytes (`WEEKLY_CHART_LAYOUT.width` wide, `chartHeight(series)` high). */
export function renderWeeklyChart(data: WeeklyChartData): Uint8Array {
  const resvg = new Resvg(weeklyChartSvg(data), {
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: 'Inter' },
    fitTo: { mode: 'original' },
  });
  return new Uint8Array(resvg.render().asPng());
}
