/**
 * The route stage: where an alert of a given severity goes. Critical and warning alerts go to their Slack
 * channels (critical optionally mentioning the on-call user group); info alerts are only logged as
 * `monitoring_*` events in the ontology's events table.
 */
import type { AlertsConfig } from '../config.ts';
import type { Severity } from './types.ts';

/** Channel names used when none is configured (console runs without Slack). */
export const DEFAULT_CHANNELS = { critical: 'ops-critical', warning: 'ops-warnings', report: 'ops-reports' } as const;

/** A destination. */
export type Route = { kind: 'channel'; channel: string; mention: string | null } | { kind: 'events' };

/** The destination of an alert of `severity`. */
export function routeAlert(severity: Severity, config: AlertsConfig): Route {
  switch (severity) {
    case 'critical':
      return {
        kind: 'channel',
        channel: config.channels.critical ?? DEFAULT_CHANNELS.critical,
        mention: config.oncallUsergroup ? `<!subteam^${config.oncallUsergroup}>` : null,
      };
    case 'warning':
      return { kind: 'channel', channel: config.channels.warning ?? DEFAULT_CHANNELS.warning, mention: null };
    case 'info':
      return { kind: 'events' };
  }
}

/** The channel of reports (the weekly summary). */
export function reportChannel(config: AlertsConfig): string {
  return config.channels.report ?? DEFAULT_CHANNELS.report;
}
