/**
 * `npm start`: config → store (a demo store is created when there is none) → integrity report and metrics on
 * the terminal → scheduled monitors (Slack with a bot token, the console otherwise) until SIGINT/SIGTERM.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { startScheduler } from '../monitors/scheduler.ts';
import { renderCheckReport } from './cli/commands/check.ts';
import { renderMetricsReport } from './cli/commands/metrics.ts';
import { loadConfig, type Config } from './config.ts';
import { userMessage } from './errors.ts';
import { createQualityService } from './quality/service.ts';
import { seedStore } from './seed/seed.ts';
import { createNotifier } from './slack/notifier.ts';
import { stopCheckWorker, warmUpCheckWorker } from './store/sqlite/check-workers.ts';
import { SqliteStore } from './store/sqlite/sqlite-store.ts';

/** Entities of the demo store `npm start` creates on a fresh machine. */
const DEMO_ENTITIES = 2_000;

/** Opens the store at the configured path, seeding demo data when the file does not exist yet. */
async function openOrCreateStore(config: Config, log: (line: string) => void): Promise<SqliteStore> {
  const path = resolve(config.dbPath);
  const fresh = !existsSync(path);
  const store = SqliteStore.open(path);
  if (fresh) {
    const summary = await seedStore(store, { entities: DEMO_ENTITIES, seed: 1, now: Date.now() });
    log(`Created a demo store at ${path} (${summary.records} records, seed ${summary.seed}).`);
  } else {
    log(`Using the store at ${path}.`);
  }
  return store;
}

async function main(): Promise<void> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const config = loadConfig();
  const store = await openOrCreateStore(config, log);
  const quality = createQualityService(store, { thresholds: config.alerts.thresholds });
  await warmUpCheckWorker();

  const now = Date.now();
  log('');
  log(renderCheckReport(await quality.check({ now, limit: 10 })));
  log('');
  log(renderMetricsReport(await quality.metrics({ now })));
  log('');

  if (!config.monitors.enabled) {
    log('Monitors are disabled (MONITOR_ENABLED=false); exiting.');
    await stopCheckWorker();
    store.close();
    return;
  }
  const notifier = createNotifier(config.slack, { write: log });
  log(
    config.slack.botToken
      ? `Monitors running; alerts go to Slack (critical: ${config.alerts.channels.critical}).`
      : 'Monitors running; no SLACK_BOT_TOKEN, so alerts are printed here. Ctrl-C stops.',
  );
  const scheduler = startScheduler({ config, store, quality, notifier, log });
  await scheduler.ready;

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping monitors…`);
    await scheduler.stop();
    await stopCheckWorker();
    store.close();
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`ontology-ops: ${userMessage(error)}\n`);
  process.exitCode = 1;
});
