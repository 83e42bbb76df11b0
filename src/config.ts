/**
 * The process configuration: the one place that reads `process.env`. Every variable is validated with zod and
 * a bad value fails start-up with one line naming the variable and what it takes. Later features (the Slack
 * app) extend `EnvSchema` and `Config` here rather than reading the environment themselves.
 */
import { availableParallelism, hostname } from 'node:os';
import { validate as isCronExpression } from 'node-cron';
import { z } from 'zod';
import { DAY, formatDuration, HOUR, MINUTE, parseDuration, SECOND } from './durations.ts';
import { InvalidArgumentError } from './errors.ts';
import { loadThresholds, type ThresholdTable } from './quality/thresholds.ts';
import { DEFAULT_FUNCTIONS_MODULE, isFunctionsModulePath } from './store/function-paths.ts';

export { formatDuration, parseDuration } from './durations.ts';

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

/**
 * A duration between `min` and `max` (ms). Bounded because timers cannot take more than 2^31 - 1 ms (Node then
 * fires after 1 ms, a busy loop) and because a tiny interval would hammer the store or Slack.
 */
const duration = (fallback: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .default(fallback)
    .transform((value, context) => {
      const parsed = parseDuration(value);
      if (parsed === undefined) {
        context.addIssue({ code: 'custom', message: `must be a duration like 4h, 30m, 90s or milliseconds, got "${value}"` });
        return z.NEVER;
      }
      if (parsed < min || parsed > max) {
        context.addIssue({ code: 'custom', message: `must be between ${formatDuration(min)} and ${formatDuration(max)}, got "${value}"` });
        return z.NEVER;
      }
      return parsed;
    });

const cron = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine((value) => isCronExpression(value), { message: 'must be a cron expression (e.g. "0 * * * *")' });

const wholeNumber = (fallback: number, max: number) =>
  z
    .string()
    .trim()
    .default(String(fallback))
    .refine((value) => /^\d+$/.test(value) && Number(value) >= 1, { message: 'must be a whole number ≥ 1' })
    .transform(Number)
    .refine((value) => value <= max, { message: `must be at most ${max}` });

const flag = (fallback: boolean) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .default(String(fallback))
    .refine((value) => ['true', 'false', '1', '0', 'yes', 'no'].includes(value), { message: 'must be true or false' })
    .transform((value) => ['true', '1', 'yes'].includes(value));

const usergroupId = optionalText.refine((value) => value === undefined || /^S[A-Z0-9]+$/.test(value), {
  message: 'must be a Slack user group id such as S0123ABCD',
});

/** The environment variables this program reads, with their defaults. */
export const EnvSchema = z.object({
  ONTOLOGY_DB: z.string().trim().default('./data/ontology.db'),
  /** JSON file of threshold overrides (see docs/data-quality-metrics.md). */
  ONTOLOGY_THRESHOLDS: optionalText,
  /** Threads a platform-wide check of the SQLite store shares its scan among (default: one per available core). */
  ONTOLOGY_CHECK_THREADS: wholeNumber(availableParallelism(), 64),
  SLACK_BOT_TOKEN: optionalText.refine((value) => value === undefined || value.startsWith('xoxb-'), {
    message: 'must be a bot token starting with xoxb-',
  }),
  /** The Slack app's signing secret (HTTP mode): requests whose signature does not match it are refused. */
  SLACK_SIGNING_SECRET: optionalText.refine((value) => value === undefined || /^[A-Za-z0-9]{8,}$/.test(value), {
    message: 'must be the app\'s signing secret (letters and digits, from Basic Information → App Credentials)',
  }),
  /** An app-level token (Socket Mode): the app connects to Slack instead of listening on PORT. */
  SLACK_APP_TOKEN: optionalText.refine((value) => value === undefined || value.startsWith('xapp-'), {
    message: 'must be an app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write)',
  }),
  /** The port the app listens on for Slack's requests in HTTP mode. */
  PORT: z
    .string()
    .trim()
    .default('3000')
    .refine((value) => /^\d+$/.test(value) && Number(value) <= 65_535, { message: 'must be a port number from 0 to 65535' })
    .transform(Number),
  /** Runs the local workspace and dashboard when no Slack credentials are set (`npm start` on a fresh machine). */
  LOCAL_WORKSPACE: flag(true),
  /** The interface the local workspace binds; default 127.0.0.1, so only this machine reaches it. */
  LOCAL_HOST: z.string().trim().min(1).default('127.0.0.1'),
  /** The dashboard's address, linked from alerts and the Home tab (default: the local one when it runs). */
  DASHBOARD_URL: optionalText.refine((value) => value === undefined || (URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol)), {
    message: 'must be an http(s) URL such as https://ops.example.com/dashboard/',
  }),
  /** Slack Web API base URL; tests and proxies override it. */
  SLACK_API_URL: z
    .string()
    .trim()
    .default('https://slack.com/api/')
    .refine((value) => URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol), {
      message: 'must be an http(s) URL such as https://slack.com/api/',
    }),
  /** The longest one Slack call may take before it counts as failed (and is retried). */
  SLACK_TIMEOUT: duration('10s', SECOND, MINUTE),
  ALERT_CHANNEL_CRITICAL: optionalText,
  ALERT_CHANNEL_WARNING: optionalText,
  REPORT_CHANNEL: optionalText,
  ONCALL_USERGROUP: optionalText.refine((value) => value === undefined || /^S[A-Z0-9]+$/.test(value), {
    message: 'must be a Slack user group id such as S0123ABCD',
  }),
  ALERT_REPEAT_INTERVAL: duration('4h', MINUTE, 7 * DAY),
  MONITOR_ENABLED: flag(true),
  MONITOR_CRON_HOURLY: cron('0 * * * *'),
  MONITOR_CRON_DAILY: cron('0 2 * * *'),
  MONITOR_CRON_WEEKLY: cron('0 6 * * 1'),
  MONITOR_CRON_ARCHIVAL: cron('0 3 * * *'),
  MONITOR_INSTANCE_ID: optionalText,
  MONITOR_LEASE_TTL: duration('2m', 10 * SECOND, HOUR),
  MONITOR_OUTBOX_INTERVAL: duration('30s', SECOND, HOUR),
  // About 0.13 ms per event here: 250 keeps each batch (one transaction, event loop blocked) near 35 ms.
  // At most 5,000: one batch is one transaction (one Convex mutation: 16,000 documents written at most).
  MONITOR_ARCHIVAL_BATCH: wholeNumber(250, 5_000),
  /** Slug of the group that owns the bot's own `monitoring_*` / `events_archived` events. */
  MONITOR_EVENTS_GROUP: z.string().trim().min(1).default('ontology-ops'),
  /** Slack user group whose members may request a migration or rollback; unset: anyone. */
  REQUESTER_USERGROUP: usergroupId,
  /** Comma-separated Slack user ids who may approve. */
  APPROVER_USER_IDS: optionalText.refine((value) => value === undefined || value.split(',').every((id) => /^[UW][A-Z0-9]+$/.test(id.trim())), {
    message: 'must be comma-separated Slack user ids such as U0123ABCD,U0456EFGH',
  }),
  /** Slack user group whose members may approve. */
  APPROVER_USERGROUP: usergroupId,
  /** Distinct approvers a migration or rollback needs. */
  REQUIRED_APPROVALS: wholeNumber(1, 5),
  /** Channel approval requests are posted to (default: the critical alert channel). */
  APPROVAL_CHANNEL: optionalText,
  /** How long an approval request stays open. */
  APPROVAL_TTL: duration('1h', MINUTE, DAY),
});

/** The names of the monitor jobs. */
export const JOB_NAMES = ['hourly', 'daily', 'weekly', 'archival'] as const;
/** One monitor job. */
export type JobName = (typeof JOB_NAMES)[number];

/** Where alerts and reports go. A channel is null when not configured (the console notifier still runs). */
export interface AlertsConfig {
  channels: { critical: string | null; warning: string | null; report: string | null };
  /** Slack user group id mentioned on critical alerts (`<!subteam^ID>`), or null. */
  oncallUsergroup: string | null;
  /** How long a critical alert may keep firing before a reminder is posted in its thread. */
  repeatIntervalMs: number;
  /** The threshold table alerts are judged by (defaults, or `ONTOLOGY_THRESHOLDS` overrides). */
  thresholds: ThresholdTable;
  /**
   * The dashboard (`DASHBOARD_URL`) that alert messages, the Home tab and `/ontology status` link to with a
   * "Dashboard" button; null or absent: no link.
   */
  dashboardUrl?: string | null;
}

/** The scheduled monitors. */
export interface MonitorsConfig {
  enabled: boolean;
  /** Cron expressions, evaluated in UTC. */
  schedules: Record<JobName, string>;
  timezone: 'UTC';
  /** This process's name in the leader lease. */
  instanceId: string;
  leaseTtlMs: number;
  /** How often undelivered outbox messages are retried. */
  outboxIntervalMs: number;
  archivalBatchSize: number;
  eventsGroupSlug: string;
}

/**
 * How the Slack app receives Slack's requests: `http` (Slack posts to `PORT`, signed with the signing secret),
 * `socket` (Socket Mode over `SLACK_APP_TOKEN`), or null when no app runs (no credentials, or a bot token alone,
 * which only posts alerts).
 */
export type SlackAppMode = 'http' | 'socket' | null;

/** Slack credentials; all null when running without Slack. */
export interface SlackConfig {
  botToken: string | null;
  signingSecret: string | null;
  appToken: string | null;
  /** Whether and how the Bolt app runs (see `SlackAppMode`). */
  appMode: SlackAppMode;
  /** The port of the HTTP receiver (`PORT`, default 3000; 0 picks a free one). */
  port: number;
  apiUrl: string;
  /** The longest one Slack call may take (`SLACK_TIMEOUT`). */
  timeoutMs: number;
}

/** Four-eyes approval of migrations and rollbacks. */
export interface ApprovalsConfig {
  /** User group whose members may request; null: anyone. */
  requesterUsergroup: string | null;
  /** Approvers named one by one. */
  approverUserIds: string[];
  /** User group whose members may approve, or null. */
  approverUsergroup: string | null;
  requiredApprovals: number;
  /** Where requests are posted; null when no channel is configured (requests are then refused). */
  channel: string | null;
  /** How long a request stays open. */
  ttlMs: number;
}

/**
 * The local workspace and dashboard (`npm start` without Slack credentials): one server on `PORT` bound to `host`.
 * Null when Slack credentials are set or `LOCAL_WORKSPACE=false`.
 */
export interface LocalConfig {
  host: string;
  port: number;
}

/** The whole configuration. */
export interface Config {
  dbPath: string;
  /** Threads a platform-wide check of the SQLite store uses (`ONTOLOGY_CHECK_THREADS`). */
  checkThreads: number;
  /** The Convex deployment the bot works against instead of the SQLite store, or null. */
  convex: ConvexSettings | null;
  slack: SlackConfig;
  alerts: AlertsConfig;
  monitors: MonitorsConfig;
  approvals: ApprovalsConfig;
  /** The local workspace, or null when it does not run. */
  local: LocalConfig | null;
}

/** A Convex deployment: its URL, the deploy key that lets the bot call its internal functions, and where they are. */
export interface ConvexSettings {
  url: string;
  deployKey: string;
  /** The module of the app's `convex/` folder that re-exports the bot's functions (`CONVEX_FUNCTIONS_MODULE`). */
  functionsModule: string;
}

/**
 * `CONVEX_FUNCTIONS_MODULE`: the path, without extension, of the file in the app's `convex/` folder that
 * re-exports the bot's functions (`export * from 'ontology-ops/convex'`); default `ontologyOps`
 * (`convex/ontologyOps.ts`).
 */
const ConvexFunctionsModule = optionalText
  .transform((value) => value ?? DEFAULT_FUNCTIONS_MODULE)
  .refine(isFunctionsModulePath, {
    message: "must be the path of the file in the app's convex/ folder that re-exports the bot's functions, without extension (e.g. ontologyOps for convex/ontologyOps.ts)",
  });

/**
 * `CONVEX_URL` with `CONVEX_DEPLOY_KEY` (and `CONVEX_FUNCTIONS_MODULE`): the deployment to work against, or null
 * when `CONVEX_URL` is unset (the SQLite store is used). A URL that is not http(s), a URL without its key, or a
 * functions module that is not a module path, is refused with one line.
 */
export function convexSettings(env: NodeJS.ProcessEnv): ConvexSettings | null {
  const url = env.CONVEX_URL?.trim();
  if (!url) return null;
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // Reported below.
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw new InvalidArgumentError(`Environment variable CONVEX_URL must be the deployment's http(s) URL, like https://happy-otter-123.convex.cloud, got "${url}".`);
  }
  const deployKey = env.CONVEX_DEPLOY_KEY?.trim();
  if (!deployKey) {
    throw new InvalidArgumentError(
      'Environment variable CONVEX_DEPLOY_KEY must be set when CONVEX_URL is: a deploy key from the dashboard (Settings → Deploy keys), which the bot needs to call its internal functions.',
    );
  }
  const functionsModule = ConvexFunctionsModule.safeParse(env.CONVEX_FUNCTIONS_MODULE);
  if (!functionsModule.success) {
    throw new InvalidArgumentError(`Environment variable CONVEX_FUNCTIONS_MODULE ${functionsModule.error.issues[0]!.message}, got "${env.CONVEX_FUNCTIONS_MODULE}".`);
  }
  return { url, deployKey, functionsModule: functionsModule.data };
}

/**
 * `ONTOLOGY_CHECK_THREADS` alone (for commands that do not load the whole configuration): the threads a
 * platform-wide check uses, by default one per available core; a value that is not a whole number from 1 to 64 is
 * refused with one line.
 */
export function checkThreadsSetting(env: NodeJS.ProcessEnv): number {
  const parsed = EnvSchema.shape.ONTOLOGY_CHECK_THREADS.safeParse(env.ONTOLOGY_CHECK_THREADS);
  if (!parsed.success) throw new InvalidArgumentError(`Environment variable ONTOLOGY_CHECK_THREADS ${parsed.error.issues[0]!.message}.`);
  return parsed.data;
}

/**
 * Reads and validates the configuration. Fails with one line naming the first bad variable. With a Slack
 * token, `ALERT_CHANNEL_CRITICAL` is required; the warning channel defaults to the critical one and the report
 * channel to the warning one, so one channel is enough to start. The Slack app runs when a bot token comes with a
 * signing secret (HTTP mode) or an app-level token (Socket Mode, preferred when both are set); either without a
 * bot token is refused.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    throw new InvalidArgumentError(`Environment variable ${variable} ${issue.message}.`);
  }
  const values = parsed.data;
  if (values.SLACK_BOT_TOKEN && !values.ALERT_CHANNEL_CRITICAL) {
    throw new InvalidArgumentError(
      'Environment variable ALERT_CHANNEL_CRITICAL must name a channel id when SLACK_BOT_TOKEN is set.',
    );
  }
  if ((values.SLACK_SIGNING_SECRET || values.SLACK_APP_TOKEN) && !values.SLACK_BOT_TOKEN) {
    const given = values.SLACK_APP_TOKEN ? 'SLACK_APP_TOKEN' : 'SLACK_SIGNING_SECRET';
    throw new InvalidArgumentError(`Environment variable SLACK_BOT_TOKEN must be set (xoxb-…) when ${given} is set: the app answers as its bot user.`);
  }
  const critical = values.ALERT_CHANNEL_CRITICAL ?? null;
  const warning = values.ALERT_CHANNEL_WARNING ?? critical;
  const report = values.REPORT_CHANNEL ?? warning;
  return {
    dbPath: values.ONTOLOGY_DB,
    checkThreads: values.ONTOLOGY_CHECK_THREADS,
    convex: convexSettings(env),
    slack: {
      botToken: values.SLACK_BOT_TOKEN ?? null,
      signingSecret: values.SLACK_SIGNING_SECRET ?? null,
      appToken: values.SLACK_APP_TOKEN ?? null,
      appMode: values.SLACK_BOT_TOKEN ? (values.SLACK_APP_TOKEN ? 'socket' : values.SLACK_SIGNING_SECRET ? 'http' : null) : null,
      port: values.PORT,
      apiUrl: values.SLACK_API_URL,
      timeoutMs: values.SLACK_TIMEOUT,
    },
    alerts: {
      channels: { critical, warning, report },
      oncallUsergroup: values.ONCALL_USERGROUP ?? null,
      repeatIntervalMs: values.ALERT_REPEAT_INTERVAL,
      thresholds: loadThresholds(values.ONTOLOGY_THRESHOLDS),
      dashboardUrl: values.DASHBOARD_URL ?? null,
    },
    monitors: {
      enabled: values.MONITOR_ENABLED,
      schedules: {
        hourly: values.MONITOR_CRON_HOURLY,
        daily: values.MONITOR_CRON_DAILY,
        weekly: values.MONITOR_CRON_WEEKLY,
        archival: values.MONITOR_CRON_ARCHIVAL,
      },
      timezone: 'UTC',
      instanceId: values.MONITOR_INSTANCE_ID ?? `${hostname()}-${process.pid}`,
      leaseTtlMs: values.MONITOR_LEASE_TTL,
      outboxIntervalMs: values.MONITOR_OUTBOX_INTERVAL,
      archivalBatchSize: values.MONITOR_ARCHIVAL_BATCH,
      eventsGroupSlug: values.MONITOR_EVENTS_GROUP,
    },
    approvals: {
      requesterUsergroup: values.REQUESTER_USERGROUP ?? null,
      approverUserIds: values.APPROVER_USER_IDS ? [...new Set(values.APPROVER_USER_IDS.split(',').map((id) => id.trim()))] : [],
      approverUsergroup: values.APPROVER_USERGROUP ?? null,
      requiredApprovals: values.REQUIRED_APPROVALS,
      channel: values.APPROVAL_CHANNEL ?? critical,
      ttlMs: values.APPROVAL_TTL,
    },
    local: values.LOCAL_WORKSPACE && !values.SLACK_BOT_TOKEN ? { host: values.LOCAL_HOST, port: values.PORT } : null,
  };
}
