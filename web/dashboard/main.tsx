/**
 * The data-quality dashboard: the integrity card, the alerts (filtered by state), a trend chart per metric (7 or 30
 * days, with threshold lines), schema versions and the migration, for the platform or one group. Reads the JSON
 * of `/dashboard/api/…` every 30 seconds; "Run daily check now" runs the daily job and refreshes when it is done.
 */
import { render } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { GroupsAnswer, RunDailyAnswer } from '../../src/dashboard/types.ts';
import { AlertsPanel } from './alerts-panel.tsx';
import { ApiError, loadDashboard, loadGroups, runDailyCheck, type DashboardData } from './api.ts';
import './dashboard.css';
import { formatInstant, groupLabel } from './format.ts';
import { IntegrityCard } from './integrity-card.tsx';
import { MigrationPanel } from './migration-panel.tsx';
import { TrendChart } from './trend-chart.tsx';
import { VersionsPanel } from './versions-panel.tsx';

/** How often the page reads the data again. */
const REFRESH_MS = 30_000;

type RunState =
  | { phase: 'idle' }
  | { phase: 'running'; since: number }
  | { phase: 'done'; answer: RunDailyAnswer }
  | { phase: 'failed'; message: string };

function initialGroup(): string | null {
  return new URLSearchParams(location.search).get('group');
}

function rememberGroup(group: string | null): void {
  const url = new URL(location.href);
  if (group === null) url.searchParams.delete('group');
  else url.searchParams.set('group', group);
  history.replaceState(null, '', url);
}

function runSummary(answer: RunDailyAnswer): string {
  const snapshots = answer.counts.snapshots ?? 0;
  const posted = answer.counts.messages_post ?? 0;
  const seconds = Math.max(1, Math.round((answer.finishedAt - answer.startedAt) / 1000));
  return `Daily check finished in ${seconds} s: ${snapshots} snapshot${snapshots === 1 ? '' : 's'}, ${posted} new alert message${posted === 1 ? '' : 's'}.`;
}

function RunDailyButton({ state, busyElsewhere, onRun }: { state: RunState; busyElsewhere: boolean; onRun: () => void }) {
  const [, tick] = useState(0);
  useEffect(() => {
    if (state.phase !== 'running') return;
    const timer = setInterval(() => tick((value) => value + 1), 1000);
    return () => clearInterval(timer);
  }, [state.phase]);
  const running = state.phase === 'running' || busyElsewhere;
  const label = state.phase === 'running' ? `Running daily check… ${Math.floor((Date.now() - state.since) / 1000)} s` : busyElsewhere ? 'Daily check running…' : 'Run daily check now';
  return (
    <div class="run-daily">
      <button type="button" class="primary" data-testid="run-daily" onClick={onRun} disabled={running} aria-busy={running}>
        {running ? <span class="spinner" aria-hidden="true" /> : null}
        {label}
      </button>
      <div class="run-status" data-testid="run-daily-status" role="status">
        {state.phase === 'done' ? <span class={state.answer.deliveryHeld ? 'warning-text' : 'ok-text'}>{runSummary(state.answer)}</span> : null}
        {state.phase === 'done' && state.answer.deliveryHeld ? <span class="warning-text"> {state.answer.deliveryHeld}</span> : null}
        {state.phase === 'failed' ? <span class="error-text">{state.message}</span> : null}
      </div>
    </div>
  );
}

function GroupSelect({ groups, value, onChange }: { groups: GroupsAnswer | null; value: string | null; onChange: (group: string | null) => void }) {
  const known = groups?.groups ?? [];
  const selectedKnown = value === null || known.some((group) => group.id === value || group.slug === value);
  const selected = known.find((group) => group.id === value || group.slug === value)?.id ?? value ?? '';
  return (
    <label class="group-select">
      <span>Scope</span>
      <select data-testid="group-select" value={selected} onChange={(event) => onChange((event.currentTarget as HTMLSelectElement).value || null)}>
        <option value="">Platform-wide (all groups)</option>
        {known.map((group) => (
          <option key={group.id} value={group.id}>
            {group.slug ?? group.id}
            {group.name && group.name !== group.slug ? ` — ${group.name}` : ''}
          </option>
        ))}
        {!selectedKnown && value ? <option value={value}>{value}</option> : null}
      </select>
      {groups && groups.omitted > 0 ? <span class="muted small">+{groups.omitted} more groups not listed</span> : null}
    </label>
  );
}

function Dashboard() {
  const [group, setGroup] = useState<string | null>(initialGroup);
  const [days, setDays] = useState(7);
  const [data, setData] = useState<DashboardData | null>(null);
  const [groups, setGroups] = useState<GroupsAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [run, setRun] = useState<RunState>({ phase: 'idle' });
  const [loadedAt, setLoadedAt] = useState<number | null>(null);
  // Answers of an older request (another scope, another window) never overwrite a newer one.
  const generation = useRef(0);

  const refresh = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const next = await loadDashboard(group, days);
      if (mine !== generation.current) return;
      setData(next);
      setError(null);
      setLoadedAt(Date.now());
    } catch (failure) {
      if (mine !== generation.current) return;
      setError(failure instanceof ApiError ? failure.message : 'The dashboard could not be loaded.');
    }
  }, [group, days]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  useEffect(() => {
    void loadGroups()
      .then(setGroups)
      .catch(() => setGroups({ at: Date.now(), groups: [], omitted: 0 }));
  }, []);

  const chooseGroup = (next: string | null) => {
    rememberGroup(next);
    setGroup(next);
  };

  const runDaily = async () => {
    setRun({ phase: 'running', since: Date.now() });
    try {
      const answer = await runDailyCheck();
      setRun({ phase: 'done', answer });
      void loadGroups().then(setGroups, () => {});
    } catch (failure) {
      setRun({ phase: 'failed', message: failure instanceof ApiError ? failure.message : 'The daily check could not be started.' });
    }
    await refresh();
  };

  const scope = data?.integrity.group ?? null;
  const trends = data?.trends;
  return (
    <div class="page">
      <header class="topbar">
        <div class="brand">
          <div class="logo" aria-hidden="true">◆</div>
          <div>
            <h1>Ontology data quality</h1>
            <div class="muted small">
              {scope ? `Group ${groupLabel(scope)}` : 'Platform-wide'} · refreshed every 30 s{loadedAt ? ` · updated ${formatInstant(loadedAt)}` : ''}
            </div>
          </div>
        </div>
        <div class="controls">
          <GroupSelect groups={groups} value={group} onChange={chooseGroup} />
          <RunDailyButton state={run} busyElsewhere={run.phase !== 'running' && (data?.integrity.dailyRunning ?? false)} onRun={() => void runDaily()} />
        </div>
      </header>
      {error ? (
        <div class="banner" role="alert" data-testid="dashboard-error">
          {error}
        </div>
      ) : null}
      {!data ? (
        <div class="loading">{error ? '' : 'Loading…'}</div>
      ) : (
        <main>
          <div class="row top">
            <IntegrityCard answer={data.integrity} onRun={() => void runDaily()} />
            <AlertsPanel firing={data.alerts.firing} recent={data.alerts.recent} scoped={scope !== null} />
          </div>
          <section class="panel trends-panel">
            <header class="panel-head">
              <h2>Trends</h2>
              <span class="muted small">
                {trends && trends.snapshots > 0
                  ? `${trends.snapshots} daily snapshot${trends.snapshots === 1 ? '' : 's'} ${scope ? `of ${groupLabel(scope)}` : 'platform-wide'} · dashed lines: thresholds`
                  : ''}
              </span>
              <div class="toggle" role="group" aria-label="Trend window">
                {[7, 30].map((window) => (
                  <button type="button" key={window} class={days === window ? 'on' : ''} aria-pressed={days === window} data-testid={`window-${window}-days`} onClick={() => setDays(window)}>
                    {window} days
                  </button>
                ))}
              </div>
            </header>
            {trends && trends.snapshots === 0 ? (
              <div class="empty">
                <p>No daily snapshot yet: run the daily check.</p>
              </div>
            ) : null}
            {trends && trends.snapshots > 0 ? (
              <div class="trend-grid">
                {trends.series.map((series) => (
                  <TrendChart key={series.metric} series={series} from={trends.from} to={trends.to} />
                ))}
              </div>
            ) : null}
          </section>
          <div class="row bottom">
            <VersionsPanel answer={data.versions} />
            <MigrationPanel answer={data.migration} />
          </div>
          <footer class="footnote muted small">
            Per group: the integrity card, alerts, trends and schema versions. Platform-wide only: the v1 migration, and the last and next check (the
            daily and hourly jobs check every group at once). Values as defined in the metrics guide (docs/data-quality-metrics.md).
          </footer>
        </main>
      )}
    </div>
  );
}

render(<Dashboard />, document.getElementById('app')!);
