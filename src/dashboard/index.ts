/**
 * The data-quality dashboard on the local server: the page at `/dashboard/` (built from `web/dashboard/` into
 * dist/web/dashboard/) and its read-only JSON under `/dashboard/api/…`. Every answer comes from the backend's
 * services and ports, never an adapter; the only request that changes anything is `POST run-daily`, which runs
 * the daily job through the monitor runner.
 *
 * | endpoint | parameters |
 * |---|---|
 * | `GET integrity` | `group` |
 * | `GET alerts` | `group`, `limit` (1–100, default 20) |
 * | `GET trends` | `group`, `days` (1–90, default 7) |
 * | `GET groups` | |
 * | `GET versions` | `group` |
 * | `GET migration` | |
 * | `POST run-daily` | (JSON body, may be empty) |
 */
import { join } from 'node:path';
import { HttpError, jsonBody, sendJson, staticFiles, webRoot, type LocalRequest, type Route } from '../local/http.ts';
import { alertsAnswer } from './alerts.ts';
import type { DashboardDeps } from './deps.ts';
import { groupsAnswer } from './groups.ts';
import { integrityAnswer } from './integrity.ts';
import { migrationAnswer } from './migration.ts';
import {
  DEFAULT_RECENT_ALERTS,
  DEFAULT_TREND_DAYS,
  groupParameter,
  MAX_RECENT_ALERTS,
  MAX_TREND_DAYS,
  queryParameters,
  wholeNumberParameter,
} from './query.ts';
import { runDaily } from './run-daily.ts';
import { trendsAnswer } from './trends.ts';
import { versionsAnswer, type VersionsCache } from './versions.ts';

export type { DashboardDeps } from './deps.ts';

/** Where the page is served. */
export const DASHBOARD_PATH = '/dashboard/';
/** Where its JSON is served. */
export const DASHBOARD_API = '/dashboard/api/';

/** What an endpoint answers from: the dependencies and what the dashboard keeps between requests. */
type EndpointDeps = DashboardDeps & { versions: VersionsCache };
type Endpoint = { method: 'GET' | 'POST'; answer: (request: LocalRequest, deps: EndpointDeps) => Promise<unknown> };

const ENDPOINTS: Record<string, Endpoint> = {
  integrity: {
    method: 'GET',
    answer: async (request, deps) => {
      const query = queryParameters(request.url, ['group']);
      return integrityAnswer(deps, await groupParameter(query, deps.backend.documents));
    },
  },
  alerts: {
    method: 'GET',
    answer: async (request, deps) => {
      const query = queryParameters(request.url, ['group', 'limit']);
      const limit = wholeNumberParameter(query, 'limit', { min: 1, max: MAX_RECENT_ALERTS, fallback: DEFAULT_RECENT_ALERTS });
      return alertsAnswer(deps, await groupParameter(query, deps.backend.documents), limit);
    },
  },
  trends: {
    method: 'GET',
    answer: async (request, deps) => {
      const query = queryParameters(request.url, ['group', 'days']);
      const days = wholeNumberParameter(query, 'days', { min: 1, max: MAX_TREND_DAYS, fallback: DEFAULT_TREND_DAYS });
      return trendsAnswer(deps, await groupParameter(query, deps.backend.documents), days);
    },
  },
  groups: {
    method: 'GET',
    answer: async (request, deps) => {
      queryParameters(request.url, []);
      return groupsAnswer(deps);
    },
  },
  versions: {
    method: 'GET',
    answer: async (request, deps) => {
      const query = queryParameters(request.url, ['group']);
      return versionsAnswer(deps, await groupParameter(query, deps.backend.documents), deps.versions);
    },
  },
  migration: {
    method: 'GET',
    answer: async (request, deps) => {
      queryParameters(request.url, []);
      return migrationAnswer(deps);
    },
  },
  'run-daily': {
    method: 'POST',
    answer: async (request, deps) => {
      queryParameters(request.url, []);
      // Read for its content type only: a JSON request is one another site's page cannot send (see jsonBody).
      await jsonBody(request);
      return runDaily(deps);
    },
  },
};

/** The dashboard's JSON routes. */
function apiRoute(dashboard: DashboardDeps): Route {
  const deps: EndpointDeps = { ...dashboard, versions: new Map() };
  return async (request, response) => {
    const path = request.url.pathname;
    if (!path.startsWith(DASHBOARD_API)) return false;
    const name = path.slice(DASHBOARD_API.length);
    const endpoint = Object.hasOwn(ENDPOINTS, name) ? ENDPOINTS[name]! : null;
    if (!endpoint) {
      throw new HttpError(404, `Nothing at ${path}: the dashboard answers ${Object.keys(ENDPOINTS).map((key) => DASHBOARD_API + key).join(', ')}.`);
    }
    if (request.method !== endpoint.method && !(endpoint.method === 'GET' && request.method === 'HEAD')) {
      response.setHeader('allow', endpoint.method);
      throw new HttpError(405, `${path} takes ${endpoint.method} requests, not ${request.method}.`);
    }
    sendJson(response, 200, await endpoint.answer(request, deps));
    return true;
  };
}

/**
 * The dashboard's routes for the local server: the JSON API under `/dashboard/api/`, then the built page at
 * `/dashboard/` (`/dashboard` redirects there). Fails at once, saying what to run, when the page was never built.
 */
export function dashboardRoutes(deps: DashboardDeps): Route[] {
  return [apiRoute(deps), staticFiles(DASHBOARD_PATH, join(webRoot(), 'dashboard'))];
}
