/**
 * What the alert buttons need beyond the store: a monitor runner ("Run check now") and a notifier that sends
 * the message edits they queue in the outbox at once rather than at the scheduler's next flush. Both come from
 * the app's dependencies when `npm start` passes the scheduler's; otherwise they are built once per app over the
 * backend (the job's lease in the store still keeps two processes from running one job at once, and the outbox's
 * claims from sending one edit twice).
 */
import { deliverOutbox, realSleep } from '../alerts/outbox.ts';
import type { Notifier } from '../alerts/ports.ts';
import { reevaluateAfterArchival } from '../../monitors/after-change.ts';
import { MonitorRunner } from '../../monitors/runner.ts';
import type { SlackAppDeps } from './app.ts';
import { createNotifier } from './notifier.ts';

/** The part of the monitor runner a button uses. */
export type AlertRunner = Pick<MonitorRunner, 'runJob' | 'runAfterChange' | 'isRunning' | 'onRunFinished'>;

const notifiers = new WeakMap<SlackAppDeps, Notifier>();
const runners = new WeakMap<SlackAppDeps, AlertRunner>();

/** The notifier that delivers alert edits (the app's, or the configuration's Slack notifier). */
export function alertNotifier(deps: SlackAppDeps): Notifier {
  if (deps.notifier) return deps.notifier;
  let notifier = notifiers.get(deps);
  if (!notifier) {
    notifier = createNotifier(deps.config.slack, { write: deps.log });
    notifiers.set(deps, notifier);
  }
  return notifier;
}

/** The runner "Run check now" queues its run on. */
export function alertRunner(deps: SlackAppDeps): AlertRunner {
  if (deps.monitorRunner) return deps.monitorRunner;
  let runner = runners.get(deps);
  if (!runner) {
    const context = deps.backend.monitorContext({
      config: deps.config,
      notifier: alertNotifier(deps),
      now: deps.now,
      log: deps.log,
    });
    const own = new MonitorRunner(context, `${deps.config.monitors.instanceId}-slack`);
    reevaluateAfterArchival(own, deps.log);
    runner = own;
    runners.set(deps, runner);
  }
  return runner;
}

/**
 * Sends what the outbox holds now (the edit a click or an approval request queued), without waiting on earlier rows' retries: those are
 * the scheduler's flush's to wait for. Never throws: an edit that cannot go now stays in the outbox.
 */
export async function deliverAlertEdits(deps: SlackAppDeps): Promise<void> {
  try {
    await deliverOutbox({
      outbox: deps.backend.monitorPorts.stores.outbox,
      notifier: alertNotifier(deps),
      now: deps.now,
      sleep: realSleep,
      log: deps.log,
      maxInlineWaitMs: 0,
    });
  } catch (error) {
    deps.log(`alert edit not delivered yet (${error instanceof Error ? error.message : String(error)}); it waits in the outbox.`);
  }
}
