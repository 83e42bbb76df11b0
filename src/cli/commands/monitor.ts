/**
 * `ontology-ops monitor …`: run a monitor job once, see the monitors' state, silence / unsilence /
 * acknowledge alerts, and flush the outbox. The same services the scheduler and the Slack buttons use.
 */
import type { Command } from 'commander';
import { DEFAULT_DELIVERY_BUDGET_MS, DeliveryBudget } from '../../alerts/delivery-budget.ts';
import { deliverOutbox, heldDeliveries, holdOf, realSleep } from '../../alerts/outbox.ts';
import type { Notifier } from '../../alerts/ports.ts';
import { groupSlugLookup } from '../../alerts/group-slugs.ts';
import { acknowledgeAlert, endSilence, MAX_SILENCE_MS, silenceAlerts } from '../../alerts/silences.ts';
import { formatDuration, MINUTE, parseDuration, SECOND } from '../../durations.ts';
import { isUntilResolved, type Severity } from '../../alerts/types.ts';
import { JOB_NAMES, loadConfig, type Config, type JobName } from '../../config.ts';
import { ErrorCode, InvalidArgumentError, NotFoundError, OpsError } from '../../errors.ts';
import type { Backend } from '../../backend.ts';
import { crashPointsFromEnv } from '../../migration/test-hooks.ts';
import { createNotifier } from '../../slack/notifier.ts';
import { formatInstant } from '../../slack/blocks/format.ts';
import type { MonitorContext } from '../../../monitors/context.ts';
import { jobLeaseName, MonitorRunner } from '../../../monitors/runner.ts';
import { LEADER_LEASE } from '../../../monitors/scheduler.ts';
import { NUMBER_LIMITS, parseInstantOrDuration, parseWholeNumber, type CliContext } from '../context.ts';

const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

function notifierFor(config: Config, context: CliContext, now: () => number): Notifier {
  return createNotifier(config.slack, { write: (line) => context.log(line), now });
}

function monitorContext(backend: Backend, config: Config, context: CliContext, budget: DeliveryBudget): MonitorContext {
  // `--now` pins every job to one instant; without it this is the real clock.
  const now = () => context.now();
  return backend.monitorContext({
    config,
    notifier: budget.notifier(notifierFor(config, context, now)),
    now,
    wallClock: Date.now,
    sleep: budget.sleep(realSleep),
    log: (line) => context.log(line),
    crash: crashPointsFromEnv(context.io.env),
  });
}

function parseJob(raw: string): JobName {
  if (!(JOB_NAMES as readonly string[]).includes(raw)) {
    throw new InvalidArgumentError(`job must be one of ${JOB_NAMES.join(', ')}, got "${raw}".`);
  }
  return raw as JobName;
}

/** `--until`: an instant (ISO 8601 / epoch ms) or a duration from now (`2h`, `30m`, `1d`), at most 7 days ahead as in Slack. */
function parseUntil(raw: string, now: number): number {
  const until = parseInstantOrDuration(raw, '--until', now);
  if (until - now > MAX_SILENCE_MS) {
    throw new InvalidArgumentError(
      `--until must be at most ${formatDuration(MAX_SILENCE_MS)} from now, got "${raw.slice(0, 80)}" (${new Date(until).toISOString()}): fix the threshold instead of a long silence.`,
    );
  }
  return until;
}

/** The longest `--delivery-timeout` accepted: a command that waits longer should leave the rest to the scheduler. */
const MAX_DELIVERY_TIMEOUT_MS = 10 * MINUTE;

/** `--delivery-timeout`: how long delivering to Slack may take in all (`45s`, `2m`), from 1 s to 10 min. */
function parseDeliveryTimeout(raw: string): DeliveryBudget {
  const ms = parseDuration(raw);
  if (ms === undefined || ms < SECOND || ms > MAX_DELIVERY_TIMEOUT_MS) {
    throw new InvalidArgumentError(`--delivery-timeout must be a duration from 1s to ${formatDuration(MAX_DELIVERY_TIMEOUT_MS)} (e.g. 45s, 2m), got "${raw.slice(0, 80)}".`);
  }
  return new DeliveryBudget(ms);
}

/**
 * The error of a command whose messages did not all reach Slack (exit code 75, a temporary failure): how many
 * wait in the outbox and how to send them.
 */
function deliveryPending(what: string, pending: number, budget: DeliveryBudget): OpsError {
  const why = budget.exhausted() ? `Slack did not take them within the ${formatDuration(budget.budgetMs)} of --delivery-timeout` : 'Slack did not take them yet';
  return new OpsError(
    ErrorCode.DeliveryPending,
    `${what}, but ${pending} message(s) wait in the outbox (${why}): \`ontology-ops monitor flush\` sends them once Slack answers again.`,
  );
}

function parseSeverity(raw: string | undefined): Severity | null {
  if (raw === undefined) return null;
  if (!(SEVERITIES as readonly string[]).includes(raw)) {
    throw new InvalidArgumentError(`--severity must be one of ${SEVERITIES.join(', ')}, got "${raw}".`);
  }
  return raw as Severity;
}

function when(ms: number | null): string {
  return ms === null ? '-' : formatInstant(ms);
}

/** Adds `monitor` and its subcommands. */
export function register(program: Command, context: CliContext): void {
  const monitor = program.command('monitor').description('scheduled monitors and their alerts');

  monitor
    .command('run')
    .description('run a monitor job once: hourly | daily | weekly | archival')
    .argument('<job>', 'hourly, daily, weekly or archival')
    .option('--delivery-timeout <duration>', 'longest time spent delivering to Slack; the rest waits in the outbox (exit code 75)', formatDuration(DEFAULT_DELIVERY_BUDGET_MS))
    .action(async (rawJob: string, options: { deliveryTimeout: string }) => {
      const job = parseJob(rawJob);
      const budget = parseDeliveryTimeout(options.deliveryTimeout);
      const config = loadConfig(context.io.env);
      const backend = context.openBackend({ mustExist: true });
      const jobContext = monitorContext(backend, config, context, budget);
      // One SIGINT/SIGTERM stops within seconds: Slack calls in flight are cut short, no retry is waited for, the
      // run is recorded and undelivered messages stay in the outbox. A second signal ends the process at once.
      let stopping = false;
      const onSignal = (name: string) => {
        stopping = true;
        jobContext.notifier.stop?.();
        context.log(`${name}: stopping; the run is recorded and undelivered messages stay in the outbox (\`ontology-ops monitor flush\`).`);
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const runner = new MonitorRunner({ ...jobContext, isStopping: () => stopping || budget.exhausted() }, `cli-${process.pid}`);
        const result = await runner.runJob(job, 'manual');
        if (result.outcome === 'skipped_overlap' && result.heldBy) {
          throw new OpsError(
            ErrorCode.LockHeld,
            `monitor ${job} is already running in ${result.heldBy.holder} since ${formatInstant(result.heldBy.since)}; ` +
              'wait for it to finish (`ontology-ops monitor status`), or for its lease to expire if that process died.',
          );
        }
        context.print({ job, ...result }, (value) =>
          value.outcome === 'succeeded'
            ? `${job}: succeeded\n${Object.entries(value.counts)
                .map(([name, count]) => `  ${name}: ${count}`)
                .join('\n')}`
            : value.outcome === 'failed'
              ? `${job}: failed: ${value.error}`
              : `${job}: skipped (already running)`,
        );
        if (result.outcome === 'failed') throw new InvalidArgumentError(`monitor ${job} failed: ${result.error}`);
        const pending = stopping ? (await jobContext.stores.outbox.outboxCounts()).pending : 0;
        if (pending > 0) {
          throw new OpsError(
            ErrorCode.SlackDelivery,
            `monitor ${job} was stopped before its messages reached Slack: ${pending} message(s) wait in the outbox; \`ontology-ops monitor flush\` sends them.`,
          );
        }
        if (result.outcome === 'succeeded' && result.deliveryHeld) {
          throw new OpsError(
            ErrorCode.SlackDelivery,
            `monitor ${job} succeeded, but its alerts are not reaching Slack. ${result.deliveryHeld}; after the fix, \`ontology-ops monitor flush\` sends them now.`,
          );
        }
        const waiting = (await jobContext.stores.outbox.outboxCounts()).pending;
        if (waiting > 0) throw deliveryPending(`monitor ${job} ${result.outcome === 'succeeded' ? 'succeeded' : 'was skipped'}`, waiting, budget);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await backend.close();
      }
    });

  monitor
    .command('status')
    .description('recent job runs and alert decisions, every firing alert, silences, the outbox and the leader lease')
    .option('--limit <n>', 'job runs, alert decisions and failed deliveries to list', '20')
    .action(async (options: { limit: string }) => {
      const limit = parseWholeNumber(options.limit, '--limit', 1, NUMBER_LIMITS.listLimit);
      const backend = context.openBackend({ mustExist: true, readOnly: 'when-not-writable' });
      try {
        const { alerts, outbox, jobRuns } = backend.monitorPorts.stores;
        const now = context.now();
        const lastSucceeded: Record<string, number | null> = {};
        for (const job of JOB_NAMES) lastSucceeded[job] = (await jobRuns.lastSucceededRun(job))?.startedAt ?? null;
        // Job leases are live-process state: compared with the real clock, like the scheduler does.
        const running: { job: JobName; holder: string; since: number }[] = [];
        for (const job of JOB_NAMES) {
          const lease = await backend.leases.getLease(jobLeaseName(job));
          if (lease && lease.expiresAt > Date.now()) running.push({ job, holder: lease.holder, since: lease.acquiredAt });
        }
        const result = {
          leader: await backend.leases.getLease(LEADER_LEASE),
          running,
          lastSucceeded,
          runs: await jobRuns.recentJobRuns({ limit }),
          decisions: await alerts.recentDecisions(limit),
          firing: await alerts.firingAlerts(),
          silences: await alerts.activeSilences(now),
          outbox: await outbox.outboxCounts(),
          heldDeliveries: (await heldDeliveries(outbox)).slice(0, limit),
          failedDeliveries: await outbox.listOutbox({ status: 'failed', limit }),
        };
        context.print(result, (value) => {
          const lines = [
            `leader: ${value.leader ? `${value.leader.holder} until ${when(value.leader.expiresAt)}` : 'none'}`,
            `running now: ${value.running.length === 0 ? 'none' : value.running.map((run) => `${run.job} in ${run.holder} since ${when(run.since)}`).join(' · ')}`,
            `last success: ${JOB_NAMES.map((job) => `${job} ${when(value.lastSucceeded[job] ?? null)}`).join(' · ')}`,
            `outbox: ${value.outbox.pending} pending, ${value.outbox.sent} sent, ${value.outbox.failed} failed`,
            '',
            `firing alerts (${value.firing.length}):`,
            ...value.firing.map(
              (alert) =>
                `  #${alert.id} ${alert.key} value ${alert.lastValue} since ${when(alert.firstFiringAt)}` +
                `${alert.acknowledgedBy ? ` (acknowledged by ${alert.acknowledgedBy})` : ''}${alert.notifiedAt === null ? ' (not notified)' : ''}`,
            ),
            `silences (${value.silences.length}):`,
            ...value.silences.map(
              (silence) =>
                `  #${silence.id} ${silence.subject} ${silence.groupId ?? 'platform'} ${silence.severity ?? 'any severity'} ${isUntilResolved(silence) ? 'until resolved' : `until ${when(silence.until)}`}` +
                `${silence.endsWhenResolved ? ' (ends when it resolves)' : ''} by ${silence.createdBy}: ${silence.reason}`,
            ),
            `recent runs:`,
            ...value.runs.map(
              (run) =>
                `  ${when(run.startedAt)} ${run.job.padEnd(8)} ${run.trigger.padEnd(9)} ${run.outcome}${run.error ? `: ${run.error}` : ''}`,
            ),
            `recent alert decisions:`,
            ...value.decisions.map(
              (decision) =>
                `  ${when(decision.at)} ${decision.source.padEnd(8)} #${decision.alertId} ${decision.key}: ${decision.action} (${decision.reason})` +
                `${decision.value === null ? '' : ` value ${decision.value}`}`,
            ),
            ...(value.heldDeliveries.length > 0
              ? [
                  `held deliveries (${value.heldDeliveries.length}; Slack refuses them until fixed, then they go out in order):`,
                  ...value.heldDeliveries.map((row) => `  #${row.id} ${row.kind} to ${row.channel}: ${holdOf(row)}`),
                ]
              : []),
            ...(value.failedDeliveries.length > 0
              ? [
                  `failed deliveries (${value.failedDeliveries.length}):`,
                  ...value.failedDeliveries.map((row) => `  #${row.id} ${row.kind} to ${row.channel} at ${when(row.sentAt)}: ${row.lastError ?? 'unknown error'}`),
                ]
              : []),
          ];
          return lines.join('\n');
        });
      } finally {
        await backend.close();
      }
    });

  monitor
    .command('silence')
    .description('record matching alerts without posting them until a time')
    .argument('<subject>', 'metric, trend or monitor subject (e.g. crossGroupViolations, trend.schemaComplianceScore, monitor.daily)')
    .requiredOption('--until <time>', 'an instant (ISO 8601) or a duration from now (2h, 1d)')
    .requiredOption('--by <who>', 'who silences')
    .requiredOption('--reason <text>', 'why')
    .option('--group <id>', 'a group id, "platform", or "*" for every scope', 'platform')
    .option('--severity <severity>', 'only this severity (default: all)')
    .action(async (subject: string, options: { until: string; by: string; reason: string; group: string; severity?: string }) => {
      const now = context.now();
      const until = parseUntil(options.until, now);
      const severity = parseSeverity(options.severity);
      const backend = context.openBackend({ mustExist: true });
      try {
        // A silence of a group that does not exist would match nothing while looking in force.
        if (options.group !== 'platform' && options.group !== '*' && !(await backend.documents.get('groups', options.group))) {
          throw new NotFoundError(
            `--group ${options.group} names no group in this store: pass a group id from an alert or \`ontology-ops monitor status\`, "platform" or "*".`,
          );
        }
        const silence = await silenceAlerts(backend.monitorPorts.stores.alerts, {
          subject,
          groupId: options.group,
          severity,
          until,
          by: options.by,
          reason: options.reason,
          now,
        });
        context.print(silence, (value) => `silence #${value.id}: ${value.subject} (${value.groupId ?? 'platform'}) until ${when(value.until)}`);
      } finally {
        await backend.close();
      }
    });

  monitor
    .command('unsilence')
    .description('end a silence now')
    .argument('<silenceId>', 'the silence id (see `monitor status`)')
    .action(async (rawId: string) => {
      const id = rawId.trim();
      const backend = context.openBackend({ mustExist: true });
      try {
        await endSilence(backend.monitorPorts.stores.alerts, id, context.now());
        context.print({ ended: id }, () => `silence #${id} ended`);
      } finally {
        await backend.close();
      }
    });

  monitor
    .command('ack')
    .description('acknowledge a firing alert: no more reminders until it resolves')
    .argument('<alert>', 'alert id or key (see `monitor status`)')
    .requiredOption('--by <who>', 'who acknowledges')
    .option('--delivery-timeout <duration>', 'longest time spent showing it on the alert message in Slack; the edit then waits in the outbox (exit code 75)', formatDuration(DEFAULT_DELIVERY_BUDGET_MS))
    .action(async (alert: string, options: { by: string; deliveryTimeout: string }) => {
      const budget = parseDeliveryTimeout(options.deliveryTimeout);
      const config = loadConfig(context.io.env);
      const backend = context.openBackend({ mustExist: true });
      try {
        const outbox = backend.monitorPorts.stores.outbox;
        const acknowledged = await acknowledgeAlert(backend.monitorPorts.stores.alerts, {
          alert,
          by: options.by,
          now: context.now(),
          config: config.alerts,
          groupSlugs: groupSlugLookup(backend.documents),
        });
        // Show the acknowledgement on the alert's message now rather than at the scheduler's next flush, within the
        // delivery bound: the acknowledgement is recorded either way.
        const report = await deliverOutbox({
          outbox,
          notifier: budget.notifier(notifierFor(config, context, Date.now)),
          now: Date.now,
          sleep: budget.sleep(realSleep),
          maxInlineWaitMs: 0,
          isStopping: () => budget.exhausted(),
        });
        context.print(acknowledged, (value) => `alert #${value.id} ${value.key} acknowledged by ${value.acknowledgedBy}`);
        if (report.pending > 0) throw deliveryPending(`alert #${acknowledged.id} was acknowledged`, report.pending, budget);
      } finally {
        await backend.close();
      }
    });

  monitor
    .command('flush')
    .description('deliver the messages waiting in the outbox now')
    .option('--delivery-timeout <duration>', 'longest time spent delivering to Slack; the rest waits in the outbox (exit code 75)', formatDuration(DEFAULT_DELIVERY_BUDGET_MS))
    .action(async (options: { deliveryTimeout: string }) => {
      const budget = parseDeliveryTimeout(options.deliveryTimeout);
      const config = loadConfig(context.io.env);
      const backend = context.openBackend({ mustExist: true });
      try {
        const report = await deliverOutbox({
          outbox: backend.monitorPorts.stores.outbox,
          notifier: budget.notifier(notifierFor(config, context, Date.now)),
          now: Date.now,
          sleep: budget.sleep(realSleep),
          isStopping: () => budget.exhausted(),
          log: (line) => context.log(line),
        });
        context.print(report, (value) => `sent ${value.sent}, retried ${value.retried}, failed ${value.failed}, held ${value.held}, pending ${value.pending}`);
        if (report.holds.length > 0) {
          const problems = report.holds.map((hold) => `${hold.slackError}${hold.channel ? ` in ${hold.channel}` : ''}: ${hold.fix}`);
          throw new OpsError(
            ErrorCode.SlackDelivery,
            `Slack refuses delivery (${problems.join(' · ')}); ${report.pending} message(s) wait in the outbox and go out in order once fixed.`,
          );
        }
        if (report.pending > 0) throw deliveryPending(`monitor flush sent ${report.sent}`, report.pending, budget);
      } finally {
        await backend.close();
      }
    });
}
