import { describe, expect, it } from 'vitest';
import { loadConfig, parseDuration } from '../src/config.ts';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_THRESHOLDS } from '../src/quality/thresholds.ts';
import { tempDir } from './helpers/temp-store.ts';

describe('loadConfig', () => {
  it('defaults to the issue schedules in UTC, a 4 h repeat interval and no Slack', () => {
    const config = loadConfig({});
    expect(config.monitors.schedules).toEqual({ hourly: '0 * * * *', daily: '0 2 * * *', weekly: '0 6 * * 1', archival: '0 3 * * *' });
    expect(config.monitors.timezone).toBe('UTC');
    expect(config.alerts.repeatIntervalMs).toBe(4 * 3_600_000);
    expect(config.slack.botToken).toBeNull();
    expect(config.alerts.channels).toEqual({ critical: null, warning: null, report: null });
    expect(config.checkThreads).toBe(availableParallelism());
  });

  it('reads the threads a check shares its scan among', () => {
    expect(loadConfig({ ONTOLOGY_CHECK_THREADS: '3' }).checkThreads).toBe(3);
  });

  it('reads channels, falling back warning → critical and report → warning', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', ALERT_CHANNEL_CRITICAL: 'C1', ONCALL_USERGROUP: 'S0ABC' });
    expect(config.alerts.channels).toEqual({ critical: 'C1', warning: 'C1', report: 'C1' });
    expect(config.alerts.oncallUsergroup).toBe('S0ABC');
  });

  it.each([
    [{ MONITOR_CRON_DAILY: '0 25 * * *' }, 'Environment variable MONITOR_CRON_DAILY must be a cron expression (e.g. "0 * * * *").', 'hour 25 does not exist'],
    [{ ALERT_REPEAT_INTERVAL: 'soon' }, 'Environment variable ALERT_REPEAT_INTERVAL must be a duration like 4h, 30m, 90s or milliseconds, got "soon".', 'not a duration'],
    [{ SLACK_BOT_TOKEN: 'xoxp-user' }, 'Environment variable SLACK_BOT_TOKEN must be a bot token starting with xoxb-.', 'a user token cannot post as the bot'],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, 'Environment variable ALERT_CHANNEL_CRITICAL must name a channel id when SLACK_BOT_TOKEN is set.', 'nowhere to send critical alerts'],
    [{ ONCALL_USERGROUP: '@oncall' }, 'Environment variable ONCALL_USERGROUP must be a Slack user group id such as S0123ABCD.', 'a handle is not an id'],
    [{ MONITOR_ARCHIVAL_BATCH: '0' }, 'Environment variable MONITOR_ARCHIVAL_BATCH must be a whole number ≥ 1.', 'a batch of nothing never ends'],
    [{ MONITOR_ARCHIVAL_BATCH: '1000000' }, 'Environment variable MONITOR_ARCHIVAL_BATCH must be at most 5000.', 'one batch is one transaction'],
    [{ MONITOR_OUTBOX_INTERVAL: '30d' }, 'Environment variable MONITOR_OUTBOX_INTERVAL must be between 1s and 1h, got "30d".', 'a timer above 2^31 ms fires every 1 ms'],
    [{ MONITOR_OUTBOX_INTERVAL: '10ms' }, 'Environment variable MONITOR_OUTBOX_INTERVAL must be between 1s and 1h, got "10ms".', 'a flush every 10 ms hammers the store'],
    [{ ALERT_REPEAT_INTERVAL: '30d' }, 'Environment variable ALERT_REPEAT_INTERVAL must be between 1m and 7d, got "30d".', 'a reminder after a month is none'],
    [{ MONITOR_LEASE_TTL: '1s' }, 'Environment variable MONITOR_LEASE_TTL must be between 10s and 1h, got "1s".', 'a lease renewed every 333 ms'],
    [{ MONITOR_LEASE_TTL: '90d' }, 'Environment variable MONITOR_LEASE_TTL must be between 10s and 1h, got "90d".', 'a crashed leader blocking for months'],
    [{ SLACK_TIMEOUT: '5m' }, 'Environment variable SLACK_TIMEOUT must be between 1s and 1m, got "5m".', 'a hung Slack call holding a job for minutes'],
    [{ SLACK_TIMEOUT: 'never' }, 'Environment variable SLACK_TIMEOUT must be a duration like 4h, 30m, 90s or milliseconds, got "never".', 'not a duration'],
    [{ SLACK_API_URL: 'slack.com/api' }, 'Environment variable SLACK_API_URL must be an http(s) URL such as https://slack.com/api/.', 'no scheme'],
    [{ SLACK_API_URL: 'ftp://slack.com/api/' }, 'Environment variable SLACK_API_URL must be an http(s) URL such as https://slack.com/api/.', 'not http'],
    [{ SLACK_APP_TOKEN: 'xoxb-1' }, 'Environment variable SLACK_APP_TOKEN must be an app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write).', 'a bot token cannot open a socket'],
    [{ SLACK_SIGNING_SECRET: 'has spaces in it' }, "Environment variable SLACK_SIGNING_SECRET must be the app's signing secret (letters and digits, from Basic Information → App Credentials).", 'pasted with extra words'],
    [{ PORT: 'http' }, 'Environment variable PORT must be a port number from 0 to 65535.', 'not a number'],
    [{ ONTOLOGY_CHECK_THREADS: '0' }, 'Environment variable ONTOLOGY_CHECK_THREADS must be a whole number ≥ 1.', 'no thread to check with'],
    [{ ONTOLOGY_CHECK_THREADS: '65' }, 'Environment variable ONTOLOGY_CHECK_THREADS must be at most 64.', 'more threads than cores anywhere'],
    [{ PORT: '70000' }, 'Environment variable PORT must be a port number from 0 to 65535.', 'beyond the last port'],
    [{ SLACK_SIGNING_SECRET: 'abcdef0123456789' }, 'Environment variable SLACK_BOT_TOKEN must be set (xoxb-…) when SLACK_SIGNING_SECRET is set: the app answers as its bot user.', 'an app without its bot token'],
    [{ SLACK_APP_TOKEN: 'xapp-1' }, 'Environment variable SLACK_BOT_TOKEN must be set (xoxb-…) when SLACK_APP_TOKEN is set: the app answers as its bot user.', 'Socket Mode without its bot token'],
  ])('rejects %o with one line naming the variable', (env, message, _reason) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('the Slack app settings', () => {
  const base = { SLACK_BOT_TOKEN: 'xoxb-1', ALERT_CHANNEL_CRITICAL: 'C1' };
  it.each([
    [{}, null, 'no credentials: no app'],
    [base, null, 'a bot token alone only posts alerts'],
    [{ ...base, SLACK_SIGNING_SECRET: 'abcdef0123456789' }, 'http', 'a signing secret: Slack posts to PORT'],
    [{ ...base, SLACK_APP_TOKEN: 'xapp-1-A-2-x' }, 'socket', 'an app-level token: Socket Mode'],
    [{ ...base, SLACK_APP_TOKEN: 'xapp-1-A-2-x', SLACK_SIGNING_SECRET: 'abcdef0123456789' }, 'socket', 'both: Socket Mode, no public URL needed'],
  ])('%o runs the app in mode %s (%s)', (env, mode, _reason) => {
    expect(loadConfig(env).slack.appMode).toBe(mode);
  });

  it('listens on PORT, 3000 by default', () => {
    expect(loadConfig({}).slack.port).toBe(3000);
    expect(loadConfig({ PORT: '8080' }).slack.port).toBe(8080);
  });
});

describe('the local workspace settings', () => {
  it.each([
    [{}, { host: '127.0.0.1', port: 3000 }, 'no Slack credentials: the local workspace on localhost:3000'],
    [{ PORT: '0', LOCAL_HOST: '0.0.0.0' }, { host: '0.0.0.0', port: 0 }, 'PORT and LOCAL_HOST move it'],
    [{ LOCAL_WORKSPACE: 'false' }, null, 'turned off'],
    [{ SLACK_BOT_TOKEN: 'xoxb-1', ALERT_CHANNEL_CRITICAL: 'C1' }, null, 'a bot token: Slack, never the local workspace'],
    [{ SLACK_BOT_TOKEN: 'xoxb-1', ALERT_CHANNEL_CRITICAL: 'C1', SLACK_SIGNING_SECRET: 'abcdef0123456789' }, null, 'the Slack app: none of it runs'],
  ])('%o → %o (%s)', (env, local, _reason) => {
    expect(loadConfig(env).local).toEqual(local);
  });

  it('reads DASHBOARD_URL, an http(s) address', () => {
    expect(loadConfig({}).alerts.dashboardUrl).toBeNull();
    expect(loadConfig({ DASHBOARD_URL: 'https://ops.example.com/dashboard/' }).alerts.dashboardUrl).toBe('https://ops.example.com/dashboard/');
    expect(() => loadConfig({ DASHBOARD_URL: 'ftp://x' })).toThrow(/^Environment variable DASHBOARD_URL must be an http\(s\) URL/);
    expect(() => loadConfig({ LOCAL_WORKSPACE: 'maybe' })).toThrow(/^Environment variable LOCAL_WORKSPACE must be true or false/);
  });
});

describe('bounded settings', () => {
  it.each(['ALERT_REPEAT_INTERVAL', 'MONITOR_LEASE_TTL', 'MONITOR_OUTBOX_INTERVAL', 'SLACK_TIMEOUT'])(
    '%s refuses a duration a timer cannot hold (25d > 2^31 ms)',
    (variable) => {
      expect(() => loadConfig({ [variable]: '25d' })).toThrow(new RegExp(`^Environment variable ${variable} must be between \\S+ and \\S+, got "25d"\\.$`));
    },
  );

  it('defaults the Slack timeout to 10 s and reads SLACK_TIMEOUT and an http SLACK_API_URL', () => {
    expect(loadConfig({}).slack).toMatchObject({ timeoutMs: 10_000, apiUrl: 'https://slack.com/api/' });
    expect(loadConfig({ SLACK_TIMEOUT: '2s', SLACK_API_URL: 'http://127.0.0.1:9999/api/' }).slack).toMatchObject({
      timeoutMs: 2_000,
      apiUrl: 'http://127.0.0.1:9999/api/',
    });
  });

  it('accepts the bounds themselves', () => {
    const config = loadConfig({ MONITOR_OUTBOX_INTERVAL: '1h', MONITOR_LEASE_TTL: '10s', ALERT_REPEAT_INTERVAL: '7d', MONITOR_ARCHIVAL_BATCH: '5000' });
    expect(config.monitors).toMatchObject({ outboxIntervalMs: 3_600_000, leaseTtlMs: 10_000, archivalBatchSize: 5_000 });
    expect(config.alerts.repeatIntervalMs).toBe(7 * 86_400_000);
  });
});

describe('parseDuration', () => {
  it.each([
    ['4h', 14_400_000, 'hours'],
    ['30m', 1_800_000, 'minutes'],
    ['90s', 90_000, 'seconds'],
    ['1d', 86_400_000, 'days'],
    ['1500', 1_500, 'bare milliseconds'],
    ['0h', undefined, 'zero is not a duration'],
    ['-1h', undefined, 'negative'],
  ])('%s → %s (%s)', (raw, expected, _reason) => {
    expect(parseDuration(raw)).toBe(expected);
  });
});

describe('threshold overrides (ONTOLOGY_THRESHOLDS)', () => {
  it('applies the overrides of a JSON file and keeps the other rows', () => {
    const dir = tempDir();
    const file = join(dir, 'thresholds.json');
    writeFileSync(file, JSON.stringify({ referentialIntegrityScore: { healthy: 99.9, warning: 98 } }));
    const config = loadConfig({ ONTOLOGY_THRESHOLDS: file });
    expect(config.alerts.thresholds.referentialIntegrityScore).toMatchObject({ healthy: 99.9, warning: 98 });
    expect(config.alerts.thresholds.schemaComplianceScore).toEqual(DEFAULT_THRESHOLDS.schemaComplianceScore);
  });

  it('uses the defaults without the variable', () => {
    expect(loadConfig({}).alerts.thresholds).toEqual(DEFAULT_THRESHOLDS);
  });

  it.each([
    ['{"referentialIntegrityScore": {"healthy": "high"}}', /thresholds\.json\.referentialIntegrityScore\.healthy/, 'a bound must be a number'],
    ['{"uptime": {"healthy": 1}}', /thresholds\.json/, 'an unknown metric is refused'],
    ['{not json', /not valid JSON/, 'the file must parse'],
    ['{"schemaComplianceScore": {"healthy": 90, "warning": 95}}', /warning bound 95 must be ≤ the healthy bound 90/, 'bands must not cross'],
    ['{"crossGroupViolations": {"healthy": -1}}', /thresholds\.json\.crossGroupViolations\.healthy: must be ≥ 0 \(metric values are never negative\)\./, 'a negative count bound alerts on a healthy store'],
    ['{"referentialIntegrityScore": {"warning": -5}}', /thresholds\.json\.referentialIntegrityScore\.warning: must be ≥ 0/, 'a negative percentage bound never warns'],
  ])('refuses %s naming the file (%s)', (text, message, _reason) => {
    const dir = tempDir();
    const file = join(dir, 'thresholds.json');
    writeFileSync(file, text);
    expect(() => loadConfig({ ONTOLOGY_THRESHOLDS: file })).toThrow(message);
  });

  it('names a missing file', () => {
    expect(() => loadConfig({ ONTOLOGY_THRESHOLDS: '/nonexistent/thresholds.json' })).toThrow(
      /Cannot read the thresholds file \/nonexistent\/thresholds\.json: ENOENT/,
    );
  });
});

describe('approvals', () => {
  it('defaults to one approval, a 1 h expiry, anyone may request, requests in the critical channel', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', ALERT_CHANNEL_CRITICAL: 'C1' });
    expect(config.approvals).toEqual({ requesterUsergroup: null, approverUserIds: [], approverUsergroup: null, requiredApprovals: 1, channel: 'C1', ttlMs: 3_600_000 });
  });

  it('reads approvers, groups, the count, the channel and the expiry', () => {
    const config = loadConfig({
      APPROVER_USER_IDS: 'U0BOB, U0CAROL,U0BOB',
      APPROVER_USERGROUP: 'S0LEADS',
      REQUESTER_USERGROUP: 'S0ENG',
      REQUIRED_APPROVALS: '2',
      APPROVAL_CHANNEL: 'C0APPROVALS',
      APPROVAL_TTL: '30m',
    });
    expect(config.approvals).toEqual({
      requesterUsergroup: 'S0ENG',
      approverUserIds: ['U0BOB', 'U0CAROL'],
      approverUsergroup: 'S0LEADS',
      requiredApprovals: 2,
      channel: 'C0APPROVALS',
      ttlMs: 1_800_000,
    });
  });

  it.each([
    [{ APPROVER_USER_IDS: '@bob' }, 'Environment variable APPROVER_USER_IDS must be comma-separated Slack user ids such as U0123ABCD,U0456EFGH.'],
    [{ APPROVER_USERGROUP: 'leads' }, 'Environment variable APPROVER_USERGROUP must be a Slack user group id such as S0123ABCD.'],
    [{ REQUESTER_USERGROUP: 'U0BOB' }, 'Environment variable REQUESTER_USERGROUP must be a Slack user group id such as S0123ABCD.'],
    [{ REQUIRED_APPROVALS: '0' }, 'Environment variable REQUIRED_APPROVALS must be a whole number ≥ 1.'],
    [{ REQUIRED_APPROVALS: '9' }, 'Environment variable REQUIRED_APPROVALS must be at most 5.'],
    [{ APPROVAL_TTL: '30s' }, 'Environment variable APPROVAL_TTL must be between 1m and 1d, got "30s".'],
  ])('rejects %o with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
