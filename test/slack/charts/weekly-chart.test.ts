import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  chartHeight,
  plotRect,
  renderWeeklyChart,
  valueDomain,
  WEEKLY_CHART_COLOURS,
  WEEKLY_CHART_LAYOUT,
  weeklyChartSvg,
  type ChartSeries,
  type WeeklyChartData,
} from '../../../src/slack/charts/weekly-chart.ts';
import { decodePng, PNG_SIGNATURE, type DecodedPng } from '../../helpers/png.ts';

const DAY = 86_400_000;
const FROM = Date.parse('2026-11-23T06:00:00Z');
const TO = FROM + 7 * DAY;

function daily(values: number[]): ChartSeries['points'] {
  return values.map((value, day) => ({ at: FROM + 20 * 3_600_000 + day * DAY, value }));
}

const integrity: ChartSeries = {
  title: 'Referential integrity score',
  unit: 'percent',
  points: daily([99.9, 99.8, 99.8, 99.6, 99.5, 99.4, 99.2]),
  threshold: { better: 'higher', healthy: 99, warning: 95 },
};
const orphans: ChartSeries = { title: 'Orphaned entities', unit: 'count', points: daily([0, 0, 1, 3, 2, 2, 5]), threshold: { better: 'lower', healthy: 0, warning: null } };
const invalidMetadata: ChartSeries = { title: 'Invalid metadata', unit: 'count', points: daily([3, 3, 2, 2, 2, 1, 1]), threshold: null };

const WEEK: WeeklyChartData = {
  from: FROM,
  to: TO,
  series: [
    integrity,
    orphans,
    { title: 'Cross-group violations', unit: 'count', points: daily([12_000, 12_040, 12_100, 12_300, 12_000, 11_800, 11_500]), threshold: { better: 'lower', healthy: 0, warning: null } },
    { title: 'Missing groupIds', unit: 'count', points: daily([0, 0, 0, 0, 0, 0, 0]), threshold: { better: 'lower', healthy: 0, warning: null } },
    { title: 'Malformed properties', unit: 'percent', points: daily([0.02, 0.03, 0.02, 0.05, 0.04, 0.03, 0.02]), threshold: { better: 'lower', healthy: 0.01, warning: 0.1 } },
    { title: 'Schema compliance score', unit: 'percent', points: daily([98, 98, 98, 98, 98, 98, 98]), threshold: { better: 'higher', healthy: 95, warning: 90 } },
    { title: 'Event archival progress', unit: 'percent', points: daily([80, 82, 85, 88, 91, 93, 95]), threshold: { better: 'higher', healthy: 90, warning: 70 } },
    invalidMetadata,
  ],
};

function hex(colour: string): [number, number, number] {
  return [1, 3, 5].map((start) => Number.parseInt(colour.slice(start, start + 2), 16)) as [number, number, number];
}

/** Pixels of row `y` between `x0` and `x1` within 40 of `colour` on every channel. */
function matchesInRow(image: DecodedPng, y: number, x0: number, x1: number, colour: string): number {
  const [r, g, b] = hex(colour);
  let count = 0;
  for (let x = x0; x < x1; x++) {
    const [pr, pg, pb] = image.at(x, y);
    if (Math.abs(pr - r) <= 40 && Math.abs(pg - g) <= 40 && Math.abs(pb - b) <= 40) count++;
  }
  return count;
}

/** The row of a panel's plot area with the most pixels of `colour`, and how many it has. */
function strongestRow(image: DecodedPng, panel: number, colour: string): { y: number; count: number } {
  const plot = plotRect(panel);
  let best = { y: -1, count: 0 };
  for (let y = Math.floor(plot.y) - 2; y <= plot.y + plot.height + 2; y++) {
    const count = matchesInRow(image, y, Math.ceil(plot.x), Math.floor(plot.x + plot.width), colour);
    if (count > best.count) best = { y, count };
  }
  return best;
}

/** Where a value sits in panel `index`, computed from the plot area and a domain the test states. */
function expectedRow(panel: number, value: number, low: number, high: number): number {
  const plot = plotRect(panel);
  return plot.y + plot.height * (1 - (value - low) / (high - low));
}

describe('weekly chart', () => {
  const png = renderWeeklyChart(WEEK);
  const image = decodePng(png);
  writeFileSync(join(tmpdir(), 'weekly-chart-test.png'), png);

  it('is a PNG of the layout width and two rows of four panels high', () => {
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(image.width).toBe(WEEKLY_CHART_LAYOUT.width);
    expect(image.height).toBe(chartHeight(8));
    expect(image.height).toBe(56 + 2 * 230 + 28);
    expect(chartHeight(3)).toBe(56 + 230 + 28);
  });

  it.each([
    ['scores: values and both thresholds, padded to whole steps, capped at 100%', integrity, { low: 94, high: 100, step: 2 }],
    ['counts: never below 0', orphans, { low: 0, high: 6, step: 2 }],
    ['no threshold: the values alone', invalidMetadata, { low: 0, high: 4, step: 1 }],
    ['all zero with a zero threshold: one whole step', { ...orphans, points: daily([0, 0, 0]) }, { low: 0, high: 1, step: 1 }],
  ])('spans the y axis (%s)', (_reason, series, domain) => {
    expect(valueDomain(series)).toEqual(domain);
  });

  it('draws the critical and healthy threshold lines of a panel where its domain puts them', () => {
    // Panel 0 spans 94–100%: critical at 95%, healthy at 99%.
    const critical = strongestRow(image, 0, WEEKLY_CHART_COLOURS.criticalLine);
    expect(Math.abs(critical.y - expectedRow(0, 95, 94, 100))).toBeLessThanOrEqual(1);
    // Dashed 6 on, 4 off: well over half the plot width on the line's row.
    expect(critical.count).toBeGreaterThan(plotRect(0).width * 0.5);
    const healthy = strongestRow(image, 0, WEEKLY_CHART_COLOURS.healthyLine);
    expect(Math.abs(healthy.y - expectedRow(0, 99, 94, 100))).toBeLessThanOrEqual(1);
    expect(healthy.count).toBeGreaterThan(plotRect(0).width * 0.5);
    // Rows a few pixels off the line carry none of it.
    const plot = plotRect(0);
    expect(matchesInRow(image, critical.y - 4, plot.x, plot.x + plot.width, WEEKLY_CHART_COLOURS.criticalLine)).toBe(0);
    expect(matchesInRow(image, critical.y + 4, plot.x, plot.x + plot.width, WEEKLY_CHART_COLOURS.criticalLine)).toBe(0);
  });

  it('draws no threshold line in the panel of a metric without one, and no critical line where the row has no warning band', () => {
    expect(strongestRow(image, 7, WEEKLY_CHART_COLOURS.criticalLine).count).toBe(0);
    expect(strongestRow(image, 7, WEEKLY_CHART_COLOURS.healthyLine).count).toBe(0);
    expect(strongestRow(image, 1, WEEKLY_CHART_COLOURS.criticalLine).count).toBe(0);
    expect(strongestRow(image, 1, WEEKLY_CHART_COLOURS.healthyLine).count).toBeGreaterThan(plotRect(1).width * 0.5);
  });

  it('draws the week as a line in the data colour, higher values higher up', () => {
    // The first and last points of panel 0: 99.9% near the top, 99.2% lower.
    const plot = plotRect(0);
    const columnTop = (x: number) => {
      for (let y = Math.floor(plot.y); y < plot.y + plot.height; y++) if (matchesInRow(image, y, x, x + 1, WEEKLY_CHART_COLOURS.line) > 0) return y;
      return -1;
    };
    const first = columnTop(Math.round(plot.x + plot.width * (20 / 168)));
    const last = columnTop(Math.round(plot.x + plot.width * ((20 + 6 * 24) / 168)));
    expect(Math.abs(first - expectedRow(0, 99.9, 94, 100))).toBeLessThanOrEqual(5);
    expect(Math.abs(last - expectedRow(0, 99.2, 94, 100))).toBeLessThanOrEqual(5);
  });

  it('renders text with the packaged font (system fonts are never loaded)', () => {
    // The panel title sits in the panel's top-left corner; without a font resvg would leave it blank.
    let dark = 0;
    for (let y = 56 + 8; y < 56 + 24; y++) for (let x = 14; x < 200; x++) if (image.at(x, y)[0] < 100) dark++;
    expect(dark).toBeGreaterThan(150);
    expect(weeklyChartSvg(WEEK)).toContain('>Referential integrity score</text>');
  });

  it('is deterministic and escapes text', () => {
    expect(Buffer.from(renderWeeklyChart(WEEK)).equals(Buffer.from(png))).toBe(true);
    const svg = weeklyChartSvg({ ...WEEK, series: [{ ...invalidMetadata, title: 'A <b> & "c"' }] });
    expect(svg).toContain('A &lt;b&gt; &amp; &quot;c&quot;');
  });
});
