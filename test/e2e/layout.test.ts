/**
 * The pages as people read and drive them: the dashboard and the local workspace at a desktop width (1280 px) and
 * a phone's (360 px) without sideways scrolling, the Run daily check button in view, a one-snapshot trend drawn
 * as a labelled point, one alerts panel with a state filter, and an alert's Silence menu and modal driven by keys
 * only. One product (`npm start`'s program on a fresh demo store) for the whole file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_UNAVAILABLE, launchChromium, startProduct, type RunningProduct } from './harness.ts';
import { LOCAL_USERS } from '../../src/local/directory.ts';
import { ALERT_ACTION_IDS } from '../../src/slack/blocks/alert.ts';

const ENGINEER = LOCAL_USERS.find((user) => !user.approver)!;
const WAIT = { timeout: 30_000 };
const WIDTHS = [1280, 360] as const;

/** How far the page scrolls sideways: 0 when everything fits the viewport's width. */
async function sidewaysOverflow(page: Page): Promise<number> {
  // A string: the test program has no DOM types, the page has a DOM.
  return (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
}

/** The point labels a trend chart drew (text, time, position in the canvas), and the canvas' width. */
async function drawnLabels(page: Page, metric: string): Promise<{ labels: { text: string; at: number; x: number; y: number }[]; width: number }> {
  const canvas = page.getByTestId(`trend-${metric}`).locator('canvas');
  await canvas.and(page.locator('[data-point-labels]')).waitFor(WAIT);
  const [drawn, width] = await Promise.all([canvas.getAttribute('data-point-labels'), canvas.evaluate((element) => element.clientWidth)]);
  return { labels: JSON.parse(drawn ?? '[]') as { text: string; at: number; x: number; y: number }[], width };
}

describe.skipIf(CHROMIUM_UNAVAILABLE !== null)(
  `the pages' layout and keyboard in Chromium${CHROMIUM_UNAVAILABLE ? ` (skipped: ${CHROMIUM_UNAVAILABLE})` : ''}`,
  () => {
    let product: RunningProduct;
    let browser: Browser;

    beforeAll(async () => {
      product = await startProduct();
      browser = await launchChromium();
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      const code = await product?.stop();
      expect(code).toBe(0);
    });

    async function pageAt(width: number): Promise<Page> {
      const page = await browser.newPage({ viewport: { width, height: 800 } });
      page.setDefaultTimeout(WAIT.timeout);
      return page;
    }

    for (const width of WIDTHS) {
      it(`shows the dashboard at ${width} px without sideways scrolling, the Run button in view and the lone snapshot as a labelled point`, async () => {
        const page = await pageAt(width);
        try {
          await page.goto(product.dashboardUrl);
          const series = page.getByTestId('trend-points-referentialIntegrityScore').locator('tr');
          await series.first().waitFor({ state: 'attached', ...WAIT });
          // The start-up's catch-up daily check took the one snapshot there is.
          await expect(series.count()).resolves.toBe(1);
          expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);

          const run = await page.getByTestId('run-daily').boundingBox();
          expect(run).not.toBeNull();
          expect(run!.x).toBeGreaterThanOrEqual(0);
          expect(run!.x + run!.width).toBeLessThanOrEqual(width);
          expect(run!.y + run!.height).toBeLessThanOrEqual(800);

          // The point carries its value, the one the caption and the table for screen readers show, with its date.
          const value = (await series.first().locator('td').textContent())!.trim();
          const date = (await series.first().locator('th').textContent())!.trim();
          expect(value).toMatch(/^\d+(\.\d+)?%$/);
          expect(date).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
          await expect(page.getByTestId('trend-referentialIntegrityScore').locator('.trend-last').textContent()).resolves.toBe(value);
          const { labels, width: canvasWidth } = await drawnLabels(page, 'referentialIntegrityScore');
          expect(labels.map((label) => label.text)).toEqual([value]);
          expect(new Date(labels[0]!.at).toISOString().slice(0, 16).replace('T', ' ') + ' UTC').toBe(date);
          // Drawn in the middle of the chart, not stuck on an edge.
          expect(labels[0]!.x).toBeGreaterThan(canvasWidth * 0.25);
          expect(labels[0]!.x).toBeLessThan(canvasWidth * 0.75);
        } finally {
          await page.close();
        }
      });

      it(`shows the local workspace at ${width} px without sideways scrolling`, async () => {
        const page = await pageAt(width);
        try {
          await page.goto(product.url);
          await page.getByTestId('channel-ontology-critical').click();
          await page.locator(`[data-action-id="${ALERT_ACTION_IDS.silence}"]`).first().waitFor(WAIT);
          expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
          await page.getByTestId('app-home').click();
          await page
            .getByTestId('home')
            .getByText(/Integrity/)
            .first()
            .waitFor(WAIT);
          expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
        } finally {
          await page.close();
        }
      });
    }

    it('silences an alert from the keyboard: arrows move in the Silence menu without choosing, Enter chooses, the modal takes focus and Escape closes it', async () => {
      const page = await pageAt(1280);
      try {
        await page.goto(product.url);
        await page.getByTestId('user-switch').selectOption(ENGINEER.id);
        await page.getByTestId('channel-ontology-critical').click();
        const menu = page.locator(`[data-action-id="${ALERT_ACTION_IDS.silence}"]`).first();
        await menu.waitFor(WAIT);
        await menu.focus();

        // ArrowDown opens the list on its first option, ArrowDown again moves to the second: nothing is sent.
        await page.keyboard.press('ArrowDown');
        const options = page.getByTestId('menu').locator('[role="option"]');
        await expect(options.count()).resolves.toBe(4);
        await expect(menu.getAttribute('aria-activedescendant')).resolves.toBe(await options.nth(0).getAttribute('id'));
        await page.keyboard.press('ArrowDown');
        await expect(menu.getAttribute('aria-activedescendant')).resolves.toBe(await options.nth(1).getAttribute('id'));
        await expect(options.nth(1).textContent()).resolves.toBe('4 hours');
        await page.waitForTimeout(1_000);
        await expect(page.getByTestId('modal').count()).resolves.toBe(0);

        // Escape closes the list, still without choosing.
        await page.keyboard.press('Escape');
        await expect(page.getByTestId('menu').count()).resolves.toBe(0);
        await page.waitForTimeout(500);
        await expect(page.getByTestId('modal').count()).resolves.toBe(0);

        // Enter chooses the highlighted duration: the reason modal opens with the focus in its field; Escape closes it.
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
        const modal = page.getByTestId('modal');
        await modal.waitFor(WAIT);
        await expect(modal.textContent()).resolves.toMatch(/4 hours/);
        await expect(modal.locator('input:focus').count()).resolves.toBe(1);
        await page.keyboard.press('Escape');
        await modal.waitFor({ state: 'detached', ...WAIT });

        // Again, this time going back to the first duration (the list opens on the last choice), typing a reason and
        // submitting with Enter: the alert is silenced.
        await menu.focus();
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Home');
        await page.keyboard.press('Enter');
        await modal.waitFor(WAIT);
        await expect(modal.textContent()).resolves.toMatch(/1 hour/);
        await page.keyboard.type('backfill running');
        await page.keyboard.press('Enter');
        await modal.waitFor({ state: 'detached', ...WAIT });
        await page
          .getByText(/silenced/i)
          .first()
          .waitFor(WAIT);
      } finally {
        await page.close();
      }
    }, 90_000);

    it('lists every alert once in one panel, filtered by state: the silenced alert under Silenced, none acknowledged', async () => {
      const page = await pageAt(1280);
      try {
        await page.goto(product.dashboardUrl);
        const panel = page.getByTestId('alerts');
        const filter = page.getByTestId('alerts-filter');
        await panel.locator('tbody tr').first().waitFor(WAIT);
        await expect(page.getByTestId('alerts-firing').count()).resolves.toBe(0);
        await expect(page.getByTestId('alerts-recent').count()).resolves.toBe(0);

        await filter.selectOption('all');
        const ids = await panel.locator('tbody tr code').filter({ hasText: /^#/ }).allTextContents();
        expect(ids.length).toBeGreaterThan(0);
        expect(new Set(ids).size).toBe(ids.length);

        await filter.selectOption('silenced');
        await panel.locator('tbody tr').first().waitFor(WAIT);
        await expect(panel.locator('.state-silenced').count()).resolves.toBe(await panel.locator('tbody tr').count());

        await filter.selectOption('acknowledged');
        await panel.getByText('No acknowledged alert.').waitFor(WAIT);
      } finally {
        await page.close();
      }
    });

    it('draws a second snapshot taken minutes later as a second labelled point, apart from the first, at 360 px', async () => {
      const page = await pageAt(360);
      try {
        await page.goto(product.dashboardUrl);
        // A re-evaluation the product queued itself (after start-up archival) may be running: the page then says so
        // and the user clicks again once it has finished, as here.
        const status = page.getByTestId('run-daily-status');
        await expect
          .poll(
            async () => {
              await page.getByTestId('run-daily').click();
              await status.filter({ hasText: /Daily check finished|already running/ }).waitFor({ timeout: 60_000 });
              return /Daily check finished/.test((await status.textContent()) ?? '');
            },
            { timeout: 80_000, interval: 1_000 },
          )
          .toBe(true);
        const rows = page.getByTestId('trend-points-referentialIntegrityScore').locator('tr');
        await rows.nth(1).waitFor({ state: 'attached', ...WAIT });
        const values = await rows.locator('td').allTextContents();
        await expect.poll(async () => (await drawnLabels(page, 'referentialIntegrityScore')).labels.length, WAIT).toBe(2);
        const { labels, width } = await drawnLabels(page, 'referentialIntegrityScore');
        expect(labels.map((label) => label.text)).toEqual(values);
        expect(labels[1]!.x - labels[0]!.x).toBeGreaterThan(width / 4);
        for (const label of labels) expect(label.x).toBeGreaterThan(0);
        for (const label of labels) expect(label.x).toBeLessThan(width);
        expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
      } finally {
        await page.close();
      }
    }, 90_000);
  },
);
