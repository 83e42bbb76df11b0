/**
 * Firing and recent alerts as the dashboard lists them: ids, subject, severity, scope, the metric value, times
 * and state (firing, silenced, acknowledged, resolved). Never a record's property value: alerts hold none.
 */
import { formatSubjectValue } from '../quality/severity.ts';
import type { AlertState, Silence } from '../alerts/types.ts';
import { silenceMatches } from '../alerts/types.ts';
import type { DashboardDeps } from './deps.ts';
import { dashboardGroup } from './query.ts';
import type { AlertsAnswer, DashboardAlert, DashboardGroup } from './types.ts';

/** Alerts read to find a group's recent ones (the store lists them newest first across every scope). */
const RECENT_SCAN = 1_000;
/** Groups looked up to name the alerts' scopes (the rest show their id alone). */
const MAX_GROUP_LOOKUPS = 100;

function dashboardAlert(alert: AlertState, silences: readonly Silence[], now: number, groups: ReadonlyMap<string, DashboardGroup>): DashboardAlert {
  const state: DashboardAlert['state'] =
    alert.status === 'resolved'
      ? 'resolved'
      : silences.some((silence) => silenceMatches(silence, alert, now))
        ? 'silenced'
        : alert.acknowledgedAt !== null
          ? 'acknowledged'
          : 'firing';
  return {
    id: alert.id,
    key: alert.key,
    subject: alert.subject,
    title: alert.title,
    severity: alert.severity,
    state,
    group: alert.groupId === null ? null : (groups.get(alert.groupId) ?? { id: alert.groupId, slug: null, name: null }),
    value: alert.lastValue,
    display: alert.lastValue === null ? null : formatSubjectValue(alert.subject, alert.lastValue, alert.details.unit),
    unit: alert.details.unit,
    threshold: alert.details.threshold,
    firstFiringAt: alert.firstFiringAt,
    lastEvaluatedAt: alert.lastEvaluatedAt,
    resolvedAt: alert.resolvedAt,
    acknowledgedBy: alert.acknowledgedBy,
    acknowledgedAt: alert.acknowledgedAt,
  };
}

const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 } as const;

/** Firing alerts (most severe first) and the `limit` latest alerts of `group` (null: every scope). */
export async function alertsAnswer(deps: DashboardDeps, group: DashboardGroup | null, limit: number): Promise<AlertsAnswer> {
  const at = deps.now();
  const { alerts } = deps.backend.monitorPorts.stores;
  const [firing, latest, silences] = await Promise.all([
    alerts.firingAlerts(),
    alerts.listAlerts({ limit: group ? RECENT_SCAN : limit }),
    alerts.activeSilences(at),
  ]);
  const inScope = (alert: AlertState) => group === null || alert.groupId === group.id;
  const shownFiring = firing
    .filter(inScope)
    .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.firstFiringAt - b.firstFiringAt);
  const recent = latest.filter(inScope).slice(0, limit);
  const ids = [...new Set([...shownFiring, ...recent].map((alert) => alert.groupId).filter((id): id is string => id !== null))];
  const groups = new Map<string, DashboardGroup>(group ? [[group.id, group]] : []);
  await Promise.all(
    ids
      .filter((id) => !groups.has(id))
      .slice(0, MAX_GROUP_LOOKUPS)
      .map(async (id) => groups.set(id, dashboardGroup(id, await deps.backend.documents.get('groups', id)))),
  );
  return {
    at,
    group,
    firing: shownFiring.map((alert) => dashboardAlert(alert, silences, at, groups)),
    recent: recent.map((alert) => dashboardAlert(alert, silences, at, groups)),
  };
}
