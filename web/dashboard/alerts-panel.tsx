/**
 * The alerts of the scope in one list with a filter (open, firing, acknowledged, silenced, resolved, all):
 * severity, what, where, the value against its threshold, since when, state and id.
 */
import { useState } from 'preact/hooks';
import type { DashboardAlert } from '../../src/dashboard/types.ts';
import { formatInstant, formatShort, formatValue } from './format.ts';

const STATE_LABEL: Record<DashboardAlert['state'], string> = {
  firing: 'firing',
  silenced: 'silenced',
  acknowledged: 'acknowledged',
  resolved: 'resolved',
};

function AlertRow({ alert }: { alert: DashboardAlert }) {
  return (
    <tr>
      <td>
        <span class={`severity severity-${alert.severity}`}>{alert.severity}</span>
      </td>
      <td class="alert-cell">
        <div class="alert-title">{alert.title}</div>
        <div class="muted small scope-line" title={alert.group ? `group ${alert.group.slug ?? ''} ${alert.group.id}` : 'platform-wide'}>
          {alert.group ? (
            <>
              {alert.group.slug ?? ''} <code>{alert.group.id}</code>
            </>
          ) : (
            'platform-wide'
          )}{' '}
          · <code>#{alert.id}</code>
        </div>
      </td>
      <td class="numeric" title={alert.threshold}>
        {alert.display ?? formatValue(alert.value, alert.unit)}
      </td>
      <td class="nowrap" title={formatInstant(alert.firstFiringAt)}>
        {formatShort(alert.firstFiringAt)}
        {alert.resolvedAt !== null ? <div class="muted small">→ {formatShort(alert.resolvedAt)}</div> : null}
      </td>
      <td title={alert.acknowledgedBy ? `acknowledged by ${alert.acknowledgedBy} at ${formatInstant(alert.acknowledgedAt)}` : undefined}>
        <span class={`state state-${alert.state}`}>{STATE_LABEL[alert.state]}</span>
      </td>
    </tr>
  );
}

/** The panel's filters: which alert states each one shows. */
const FILTERS = [
  { id: 'open', label: 'Open', states: ['firing', 'acknowledged', 'silenced'] },
  { id: 'firing', label: 'Firing', states: ['firing'] },
  { id: 'acknowledged', label: 'Acknowledged', states: ['acknowledged'] },
  { id: 'silenced', label: 'Silenced', states: ['silenced'] },
  { id: 'resolved', label: 'Resolved', states: ['resolved'] },
  {
    id: 'all',
    label: 'All',
    states: ['firing', 'acknowledged', 'silenced', 'resolved'],
  },
] as const satisfies readonly {
  id: string;
  label: string;
  states: readonly DashboardAlert['state'][];
}[];

type FilterId = (typeof FILTERS)[number]['id'];

/** Every alert once: what fires now (most severe first), then the latest others (newest first). */
export function mergeAlerts(firing: readonly DashboardAlert[], recent: readonly DashboardAlert[]): DashboardAlert[] {
  const shown = new Set(firing.map((alert) => alert.id));
  return [...firing, ...recent.filter((alert) => !shown.has(alert.id))];
}

/** The alerts panel (`data-testid="alerts"`): a filter of states with their counts, and the matching alerts. */
export function AlertsPanel({ firing, recent, scoped }: { firing: DashboardAlert[]; recent: DashboardAlert[]; scoped: boolean }) {
  const [filterId, setFilterId] = useState<FilterId>('open');
  const all = mergeAlerts(firing, recent);
  const filter = FILTERS.find((candidate) => candidate.id === filterId)!;
  const alerts = all.filter((alert) => (filter.states as readonly string[]).includes(alert.state));
  const where = scoped ? ' in this group' : '';
  const empty = filterId === 'all' ? `No alert has fired yet${where}.` : `No ${filter.label.toLowerCase()} alert${where}.`;
  return (
    <section class="panel fill alerts-panel" data-testid="alerts">
      <header class="panel-head wrap">
        <h2>
          Alerts <span class="count">{alerts.length}</span>
        </h2>
        <label class="alert-filter" title="Open: firing, acknowledged or silenced. Resolved and All: among the latest alerts.">
          <span class="sr-only">Show</span>
          <select
            data-testid="alerts-filter"
            value={filterId}
            onChange={(event) => setFilterId((event.currentTarget as HTMLSelectElement).value as FilterId)}
          >
            {FILTERS.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.label} ({all.filter((alert) => (candidate.states as readonly string[]).includes(alert.state)).length})
              </option>
            ))}
          </select>
        </label>
      </header>
      <div class="scroll">
        {alerts.length === 0 ? (
          <p class="empty-line">{empty}</p>
        ) : (
          <table class="alerts">
            <thead>
              <tr>
                <th>Severity</th>
                <th>Alert</th>
                <th class="numeric">Value</th>
                <th>Since</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {alerts.map((alert) => (
                <AlertRow key={alert.id} alert={alert} />
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
