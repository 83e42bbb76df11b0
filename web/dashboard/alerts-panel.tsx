/** Firing and recent alerts: severity, what, where, the value against its threshold, since when, state and id. */
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
        {formatValue(alert.value, alert.unit)}
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

/** A list of alerts (`data-testid` given), or its empty line. */
export function AlertsPanel({ title, alerts, empty, testId, note }: { title: string; alerts: DashboardAlert[]; empty: string; testId: string; note?: string }) {
  return (
    <section class="panel fill" data-testid={testId}>
      <header class="panel-head">
        <h2>
          {title} <span class="count">{alerts.length}</span>
        </h2>
        {note ? <span class="muted small">{note}</span> : null}
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
