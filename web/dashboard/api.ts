/** The dashboard's JSON API as the page calls it: one function per endpoint, errors as one-line messages. */
import type {
  AlertsAnswer,
  GroupsAnswer,
  IntegrityAnswer,
  MigrationAnswer,
  RunDailyAnswer,
  TrendsAnswer,
  VersionsAnswer,
} from '../../src/dashboard/types.ts';

/** An answer that was not 2xx: the server's one line, and the HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`./api/${path}`, { cache: 'no-store', ...init });
  } catch {
    throw new ApiError(0, 'The dashboard server is not reachable: is `npm start` still running?');
  }
  const body = (await response.json().catch(() => null)) as (T & { error?: string }) | null;
  if (!response.ok) throw new ApiError(response.status, body?.error ?? `The server answered ${response.status}.`);
  if (body === null) throw new ApiError(response.status, 'The server answered with something that is not JSON.');
  return body;
}

function query(parameters: Record<string, string | number | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) if (value !== null) search.set(name, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** Everything one refresh of the page reads, for one scope. */
export interface DashboardData {
  integrity: IntegrityAnswer;
  alerts: AlertsAnswer;
  trends: TrendsAnswer;
  versions: VersionsAnswer;
  migration: MigrationAnswer;
}

/** Reads every panel's data for `group` (null: platform-wide) and the trend window `days`. */
export async function loadDashboard(group: string | null, days: number): Promise<DashboardData> {
  const [integrity, alerts, trends, versions, migration] = await Promise.all([
    request<IntegrityAnswer>(`integrity${query({ group })}`),
    request<AlertsAnswer>(`alerts${query({ group, limit: 12 })}`),
    request<TrendsAnswer>(`trends${query({ group, days })}`),
    request<VersionsAnswer>(`versions${query({ group })}`),
    request<MigrationAnswer>('migration'),
  ]);
  return { integrity, alerts, trends, versions, migration };
}

/** The groups for the selector. */
export function loadGroups(): Promise<GroupsAnswer> {
  return request<GroupsAnswer>('groups');
}

/** Runs the daily check now; resolves when it has finished. */
export function runDailyCheck(): Promise<RunDailyAnswer> {
  return request<RunDailyAnswer>('run-daily', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
}
