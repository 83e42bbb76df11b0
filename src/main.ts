/**
 * `npm start`: config → store (a legacy demo store is created when there is none) → integrity report and metrics
 * on the terminal → the Slack app (when its credentials are set: HTTP on PORT, or Socket Mode) and the scheduled
 * monitors, in one process, until SIGINT/SIGTERM. Without Slack credentials the local workspace runs on PORT
 * (a Slack-compatible page and the dashboard, `src/local/`) and the same bot talks to it as it would to Slack.
 * A signal at any stage stops cleanly: the app stops taking requests, a job already running finishes and is
 * recorded, the leader lease is given up and the store is closed; a second signal ends the process at once. An
 * error that escapes every handler is logged in one line and the process keeps serving (`process-guards.ts`).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { openBackend, type Backend } from './backend.ts';
import { startScheduler, type SchedulerHandle } from '../monitors/scheduler.ts';
import { renderCheckReport } from './cli/commands/check.ts';
import { renderMetricsReport } from './cli/commands/metrics.ts';
import { loadConfig, type Config } from './config.ts';
import { InvalidArgumentError, userMessage } from './errors.ts';
import { seedStore } from './seed/seed.ts';
import { createSlackApp, type SlackApp } from './slack/app.ts';
import { createNotifier, SlackNotifier } from './slack/notifier.ts';
import { DeliveryError, type Notifier } from './alerts/ports.ts';
import { openLocalWorkspace, type LocalWorkspaceHandle } from './local/start.ts';
import { installProcessGuards } from './process-guards.ts';

/**
 * Entities of the demo store `npm start` creates on a fresh machine: legacy data (no `groupId`s, `things`), so
 * the v1 migration has something to do.
 */
const DEMO_ENTITIES = 2_000;

/** Opens the backend over the configured store, seeding demo data when the store file does not exist yet. */
async function openOrCreateBackend(config: Config, log: (line: string) => void): Promise<Backend> {
  const path = resolve(config.dbPath);
  // Looked at before opening: opening a SQLite store creates its file.
  const fresh = !existsSync(path);
  const backend = openBackend({ dbPath: path, convex: config.convex, thresholds: config.alerts.thresholds, checkThreads: config.checkThreads });
  if (backend.adapter === 'convex') {
    log(`Using the Convex deployment ${backend.location}.`);
    return backend;
  }
  if (fresh) {
    try {
      const summary = await seedStore(backend.bulkLoad, { entities: DEMO_ENTITIES, seed: 1, now: Date.now(), legacy: true });
      log(`Created a demo store at ${path} (${summary.records} legacy records, seed ${summary.seed}): the v1 migration is still to run.`);
    } catch (error) {
      await backend.close();
      throw error;
    }
  } else {
    log(`Using the store at ${backend.location}.`);
  }
  return backend;
}

/** Resolves with the first SIGINT or SIGTERM; handlers are installed at once so no stage is killed midway. */
function stopSignal(): { requested: () => string | null; received: Promise<string> } {
  let signal: string | null = null;
  const received = new Promise<string>((resolveSignal) => {
    const on = (name: string) => () => {
      signal = name;
      resolveSignal(name);
    };
    process.once('SIGINT', on('SIGINT'));
    process.once('SIGTERM', on('SIGTERM'));
  });
  return { requested: () => signal, received };
}

async function main(): Promise<void> {
  const print = (line: string) => process.stdout.write(`${line}\n`);
  // The monitors run for days: each of their lines says when it happened.
  const log = (line: string) => print(`${new Date().toISOString().slice(0, 19)}Z ${line}`);
  // Whatever escapes every handler is logged, not fatal: a running migration must not end with it.
  installProcessGuards(log);
  const signal = stopSignal();
  let config = loadConfig();
  const backend = await openOrCreateBackend(config, print);
  let scheduler: SchedulerHandle | null = null;
  let slackApp: SlackApp | null = null;
  let local: LocalWorkspaceHandle | null = null;
  try {
    if (config.local) {
      // No Slack credentials: the bot talks to the local workspace exactly as it would to Slack. Started first, so
      // a taken PORT stops start-up before any long work.
      local = await openLocalWorkspace(config, config.local, log);
      config = local.config;
    }
    const { quality } = backend;
    await backend.warmUp();
    if (signal.requested()) return;

    const now = Date.now();
    print('');
    print(renderCheckReport(await quality.check({ now, limit: 10 }), config.alerts.thresholds));
    print('');
    print(renderMetricsReport(await quality.metrics({ now }), config.alerts.thresholds));
    print('');
    if (signal.requested()) return;

    let notifier: Notifier | null = null;
    if (config.monitors.enabled) {
      notifier = createNotifier(config.slack, { write: print });
      const slackNotifier = notifier;
      // A stop request cuts Slack calls in flight short (a Slack that never answers cannot hold the shutdown).
      void signal.received.then(() => slackNotifier.stop?.());
      if (notifier instanceof SlackNotifier) {
        try {
          const who = await notifier.identity();
          print(`Slack: posting as ${who.user} in ${who.team}.`);
        } catch (error) {
          if (signal.requested()) return;
          // A rejected token would hold every message: refuse it now rather than start with nothing reaching Slack.
          if (error instanceof DeliveryError && !error.retryable) {
            throw new InvalidArgumentError(
              `Slack rejected SLACK_BOT_TOKEN (${error.message}): set a valid bot token, or unset it to print alerts on the console.`,
            );
          }
          print(`Slack: not reachable yet (${userMessage(error)}); messages wait in the outbox and are retried.`);
        }
      }
      print(
        local
          ? 'Monitors running; alerts go to the local workspace.'
          : config.slack.botToken
          ? `Monitors running; alerts go to Slack (critical: ${config.alerts.channels.critical}). Ctrl-C stops.`
          : 'Monitors running; no SLACK_BOT_TOKEN, so alerts are printed here. Ctrl-C stops.',
      );
      scheduler = startScheduler({ config, ports: backend.monitorPorts, quality, notifier, log });
    }
    if (config.slack.appMode) {
      // "Run check now" queues behind this process's scheduled runs, and the Home tab refreshes after each of them.
      slackApp = createSlackApp(
        { backend, config, now: Date.now, log, ...(scheduler && notifier ? { monitorRunner: scheduler.runner, notifier } : {}) },
        // Inside the local workspace the receiver is reached by the workspace only.
        local ? { port: 0, host: '127.0.0.1' } : {},
      );
      const { port } = await slackApp.start();
      if (local) {
        local.mountDashboard({ backend, runner: scheduler?.runner ?? null });
        local.connectBot(port!);
        print('');
        print(`Local workspace: ${local.url}  (the bot's channels, App Home and /ontology; switch between the engineer and the lead)`);
        print(`Dashboard:       ${local.dashboardUrl}`);
        print('No Slack credentials are set, so nothing leaves this machine. Ctrl-C stops.');
      } else print(
        slackApp.mode === 'socket'
          ? 'Slack app connected over Socket Mode: /ontology and the buttons answer here.'
          : `Slack app listening on port ${port} (request URL path /slack/events): /ontology and the buttons answer here.`,
      );
    }
    if (!scheduler && !slackApp) {
      print('Monitors are disabled (MONITOR_ENABLED=false); exiting.');
      return;
    }
    if (!scheduler) print('Monitors are disabled (MONITOR_ENABLED=false); the Slack app keeps answering. Ctrl-C stops.');
    const stoppedBy = await signal.received;
    log(`${stoppedBy}: stopping (a running job finishes first; a second ${stoppedBy} ends at once)…`);
  } finally {
    // The app first: no new request starts work on a store about to close.
    if (slackApp) await slackApp.stop().catch((error: unknown) => log(`Slack app: ${userMessage(error)}`));
    if (local) await local.close();
    if (scheduler) await scheduler.stop();
    await backend.close();
    if (signal.requested()) log('Stopped.');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`ontology-ops: ${userMessage(error)}\n`);
  process.exitCode = 1;
});
