/**
 * The Run check now button of an alert message: runs the job that evaluates the alert again (the daily full
 * check for a metric, the weekly job for a trend, a failed job itself) and says how it went. A run already
 * going is not started twice.
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { jobForSubject, openEpisode } from '../../src/alerts/alert-actions.ts';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { alertRunner } from '../../src/slack/alert-runner.ts';
import { ALERT_ACTION_IDS, parseNotificationRef } from '../../src/slack/blocks/alert.ts';
import { code } from '../../src/slack/blocks/text.ts';
import { answerClick, answerPrivately, clickTarget, note } from '../../src/slack/interaction.ts';

/** Registers the Run check now button. */
export function runCheckNow(app: App, deps: HandlerDeps): void {
  app.action<BlockAction<ButtonAction>>(ALERT_ACTION_IDS.runCheck, async ({ ack, body, action, client }) => {
    await ack();
    const target = clickTarget(body);
    await answerClick('Run check now', target, deps, client, async () => {
      const notification = await openEpisode(deps.backend.monitorPorts.stores.alerts, parseNotificationRef(action.value ?? ''));
      const job = jobForSubject(notification.subject);
      const runner = alertRunner(deps);
      if (runner.isRunning(job)) return note(`A \`${job}\` run is already going: the alert message updates when it finishes.`);
      // The run may take minutes: answer now, and again when it is done.
      const run = runner.runJob(job, 'manual');
      void run.then((result) => {
        const text =
          result.outcome === 'succeeded'
            ? `:white_check_mark: The \`${job}\` check finished: the alert message shows what it found.`
            : result.outcome === 'skipped_overlap'
              ? `:fast_forward: A \`${job}\` run was already going${result.heldBy ? ` in ${code(result.heldBy.holder)}` : ''}: the alert message updates when it finishes.`
              : `:x: The \`${job}\` check failed; \`/ontology status\` shows the run.`;
        return answerPrivately(target, note(text), deps, client).catch((error: unknown) =>
          deps.log(`Run check now: could not answer: ${error instanceof Error ? error.message : String(error)}`),
        );
      });
      return note(`:hourglass_flowing_sand: Running the \`${job}\` check now (<@${body.user.id}>).`);
    });
  });
}
