/**
 * The whole product in a real browser: `npm start`'s program on a fresh legacy demo store with no Slack or Convex
 * credentials, its local workspace and dashboard opened in headless Chromium. Everything goes the way a person
 * would go: typing `/ontology …` in the composer, clicking the bot's buttons, switching between the engineer and
 * the lead. The bot cannot tell this from Slack: it gets signed requests and answers through the Web API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { CHROMIUM_UNAVAILABLE, launchChromium, screenshot, startProduct, type RunningProduct } from './harness.ts';
import { LOCAL_USERS } from '../../src/local/directory.ts';

const ENGINEER = LOCAL_USERS.find((user) => !user.approver)!;
const LEAD = LOCAL_USERS.find((user) => user.approver)!;
const WAIT = { timeout: 30_000 };

/** Messages and ephemerals of the open channel. */
function messages(page: Page): Locator {
  return page.locator('[data-testid="message"], [data-testid="ephemeral"]');
}

async function openChannel(page: Page, name: string): Promise<void> {
  await page.getByTestId(`channel-${name}`).click();
}

async function actAs(page: Page, userId: string): Promise<void> {
  await page.getByTestId('user-switch').selectOption(userId);
}

async function type(page: Page, text: string): Promise<void> {
  const composer = page.getByTestId('composer');
  await composer.fill(text);
  await composer.press('Enter');
}

describe.skipIf(CHROMIUM_UNAVAILABLE !== null)(`the product in Chromium${CHROMIUM_UNAVAILABLE ? ` (skipped: ${CHROMIUM_UNAVAILABLE})` : ''}`, () => {
  let product: RunningProduct;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    product = await startProduct();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(WAIT.timeout);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    const code = await product?.stop();
    expect(code).toBe(0);
  });

  it('shows the alerts the start-up checks posted, and acknowledges one with its button', async () => {
    await page.goto(product.url);
    await actAs(page, ENGINEER.id);
    await openChannel(page, 'ontology-critical');
    const alert = messages(page).filter({ has: page.locator('button[data-action-id="alert_acknowledge"]') }).first();
    await alert.waitFor(WAIT);
    await expect(alert.textContent()).resolves.toMatch(/CRITICAL/);
    await alert.evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'workspace-alert');
    await alert.locator('button[data-action-id="alert_acknowledge"]').click();
    const acknowledged = messages(page).filter({ hasText: /acknowledged by/i }).first();
    await acknowledged.waitFor(WAIT);
    // The header says who acknowledged it, once, and Unacknowledge replaces Acknowledge.
    await expect(acknowledged.locator('button[data-action-id="alert_unacknowledge"]').count()).resolves.toBe(1);
    await expect(acknowledged.locator('button[data-action-id="alert_acknowledge"]').count()).resolves.toBe(0);
    await acknowledged.evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'workspace-alert-acknowledged');
  });

  it('answers /ontology integrity typed in the composer', async () => {
    await openChannel(page, 'ontology-warnings');
    await type(page, '/ontology integrity');
    const report = messages(page).filter({ hasText: /Integrity platform-wide/ }).last();
    await report.waitFor(WAIT);
    await expect(report.textContent()).resolves.toMatch(/Orphaned connections/);
  });

  it('runs "Trend (7 days)" from the buttons under a metrics answer, not the integrity check beside it', async () => {
    await type(page, '/ontology metrics');
    const answer = messages(page).filter({ hasText: /Metrics platform-wide/ }).last();
    await answer.waitFor(WAIT);
    await answer.getByRole('button', { name: 'Trend (7 days)' }).click();
    const trend = messages(page).filter({ hasText: /(Trend|No snapshots) platform-wide/ }).last();
    await trend.waitFor(WAIT);
    await expect(trend.textContent()).resolves.toMatch(/7 days/);
  });

  it('runs the v1 migration once the lead approves what the engineer asked, and the engineer cannot approve it', async () => {
    await actAs(page, ENGINEER.id);
    await openChannel(page, 'ontology-warnings');
    await type(page, '/ontology migrate');
    await messages(page).filter({ hasText: /Approval requested/ }).last().waitFor(WAIT);

    await openChannel(page, 'ontology-approvals');
    const request = messages(page).filter({ hasText: /Approval needed: v1 groupId migration/ }).last();
    await request.waitFor(WAIT);
    await screenshot(page, 'workspace-approval');

    // Approve asks first, restating the plan's record counts; Cancel sends nothing.
    await request.locator('button[data-action-id="approve_request"]').click();
    const confirm = page.getByTestId('confirm');
    await confirm.waitFor(WAIT);
    await expect(confirm.textContent()).resolves.toMatch(/Migrate [\d,]+ records in \d tables? \(.*\)/);
    await page.getByTestId('confirm-no').click();
    await confirm.waitFor({ state: 'detached' });
    // Four eyes: the requester's own click is refused and changes nothing.
    await request.locator('button[data-action-id="approve_request"]').click();
    await page.getByTestId('confirm-yes').click();
    await messages(page).filter({ hasText: /cannot approve it|Only approvers/ }).last().waitFor(WAIT);
    await expect(request.locator('button[data-action-id="approve_request"]').count()).resolves.toBe(1);
    await screenshot(page, 'workspace');

    await actAs(page, LEAD.id);
    await openChannel(page, 'ontology-approvals');
    // Every state the request message shows on the page, as the edits arrive.
    await page.evaluate(`(() => {
      const seen = (window.seenStates = []);
      new MutationObserver(() => {
        for (const element of document.querySelectorAll('[data-testid="message"]')) {
          const state = /(Approval needed|Approved|Running|Succeeded with regressions|Succeeded|Failed): v1 groupId migration/.exec(element.textContent ?? '')?.[1];
          if (state && seen.at(-1) !== state) seen.push(state);
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    })()`);
    await request.locator('button[data-action-id="approve_request"]').click();
    await page.getByTestId('confirm-yes').click();
    // The demo migration makes the referential integrity score critical: it succeeds with regressions, said so.
    const done = messages(page).filter({ hasText: /Succeeded with regressions: v1 groupId migration/ }).last();
    await done.waitFor({ timeout: 120_000 });
    await expect(done.textContent()).resolves.toMatch(new RegExp(`Approved by.*(${LEAD.realName}|@${LEAD.name})`));
    await expect(done.locator('[data-testid="edited"]').count()).resolves.toBeGreaterThan(0);
    // The same message went through the run's progress before its end.
    const states = (await page.evaluate('window.seenStates')) as string[];
    expect(states).toContain('Running');
    expect(states.at(-1)).toBe('Succeeded with regressions');
    await done.evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'workspace-regressions');
  }, 180_000);

  it('shows the App Home of the lead', async () => {
    await page.getByTestId('app-home').click();
    await page.getByText(/Integrity/).first().waitFor(WAIT);
    await screenshot(page, 'workspace-home');
  });

  it('shows schema compliance at 100% on the dashboard, in the schema panel and in its integrity card, without waiting for the next daily run', async () => {
    await page.goto(product.dashboardUrl);
    await page.getByTestId('integrity-card').waitFor(WAIT);
    // Counted live: the migration shows at once.
    await page.getByTestId('schema-compliance').filter({ hasText: /100(\.0+)?\s*%/ }).waitFor(WAIT);
    // The migration re-evaluated every metric as it ended: the card's snapshot, labelled with its time, shows it too.
    const cardCompliance = page.getByTestId('integrity-schemaComplianceScore');
    await page.reload();
    await cardCompliance.filter({ hasText: /100(\.0+)?\s*%/ }).waitFor(WAIT);
    // A daily check run from the page keeps it there.
    await page.getByTestId('run-daily').click();
    await page.getByTestId('run-daily-status').filter({ hasText: /Daily check finished/ }).waitFor({ timeout: 60_000 });
    await cardCompliance.filter({ hasText: /100(\.0+)?\s*%/ }).waitFor(WAIT);
    await screenshot(page, 'dashboard');
  }, 120_000);
});
