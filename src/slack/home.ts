/**
 * The App Home tab: published with `views.publish` when a user opens it, and again after every monitor run for
 * the users who opened it lately. Who opened it and when is a small record in the store's settings
 * (`slack_home_viewers`: user id → last opened), so every replica and a restart know whom to refresh; it keeps
 * the most recent `MAX_HOME_VIEWERS` viewers of the last `HOME_VIEWER_TTL_MS`.
 */
import type { WebClient } from '@slack/web-api';
import type { MetaStore } from '../store/port.ts';
import type { HandlerDeps } from './app.ts';
import { homeView } from './blocks/home.ts';
import { gatherOverview, type OverviewDeps } from './overview.ts';

/** The settings key of the Home viewers record. */
export const HOME_VIEWERS_KEY = 'slack_home_viewers';
/** How long after opening the tab a user's Home keeps being refreshed after runs. */
export const HOME_VIEWER_TTL_MS = 7 * 24 * 3_600_000;
/** Most viewers refreshed after a run (each is one `views.publish`, Tier 4: 100+ per minute). */
export const MAX_HOME_VIEWERS = 50;

type Viewers = Record<string, number>;

async function readViewers(meta: MetaStore): Promise<Viewers> {
  const raw = await meta.getMeta(HOME_VIEWERS_KEY);
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter(([user, at]) => /^[UW][A-Z0-9]+$/.test(user) && typeof at === 'number'));
  } catch {
    // A damaged record only costs refreshes until the next user opens the tab.
    return {};
  }
}

/** The users whose Home tab is refreshed after runs: opened within the TTL, most recent first. */
export async function recentHomeViewers(meta: MetaStore, now: number): Promise<string[]> {
  const viewers = await readViewers(meta);
  return Object.entries(viewers)
    .filter(([, at]) => now - at < HOME_VIEWER_TTL_MS)
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_HOME_VIEWERS)
    .map(([user]) => user);
}

/** Records that `userId` opened the Home tab at `now` (dropping viewers past the TTL or the limit). */
export async function recordHomeViewer(meta: MetaStore, userId: string, now: number): Promise<void> {
  const viewers = await readViewers(meta);
  viewers[userId] = now;
  const kept = Object.entries(viewers)
    .filter(([, at]) => now - at < HOME_VIEWER_TTL_MS)
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_HOME_VIEWERS);
  await meta.setMeta(HOME_VIEWERS_KEY, JSON.stringify(Object.fromEntries(kept)));
}

/** What the overview reads, from the app's dependencies. */
export function overviewDeps(deps: HandlerDeps): OverviewDeps {
  const { stores } = deps.backend.monitorPorts;
  return {
    alerts: stores.alerts,
    jobRuns: stores.jobRuns,
    snapshots: stores.snapshots,
    monitors: deps.config.monitors,
    thresholds: deps.config.alerts.thresholds,
    migrationStatus: () => deps.backend.migration().status({ limit: 1 }),
    documents: deps.backend.documents,
    ...(deps.pendingApprovals ? { pendingApprovals: deps.pendingApprovals } : {}),
    dashboardUrl: deps.config.alerts.dashboardUrl ?? null,
    now: deps.now,
  };
}

/** Publishes `userId`'s Home tab. */
export async function publishHome(client: WebClient, userId: string, deps: HandlerDeps): Promise<void> {
  const overview = await gatherOverview(overviewDeps(deps), userId);
  await client.views.publish({ user_id: userId, view: homeView(overview) as never });
}

/**
 * Refreshes the Home tab of every recent viewer (after a monitor run). One failure (a user who left) does not
 * stop the others; failures are logged. Returns how many were published.
 */
export async function refreshHomeTabs(client: WebClient, deps: HandlerDeps): Promise<number> {
  let published = 0;
  for (const userId of await recentHomeViewers(deps.backend.meta, deps.now())) {
    try {
      await publishHome(client, userId, deps);
      published++;
    } catch (error) {
      deps.log(`Home tab of ${userId} not refreshed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return published;
}
