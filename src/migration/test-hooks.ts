/**
 * Crash points for tests that SIGKILL a real `ontology-ops` process at an exact step. Test hook only: set
 * `ONTOLOGY_OPS_TEST_KILL_AT` to a comma-separated list of points and the process kills itself with SIGKILL
 * when it reaches one of them. Unset (always, outside tests) it does nothing. Only the CLI commands
 * (`src/cli/`) and the test fixtures read the variable; `npm start` (`src/main.ts`, the Slack app, the local
 * workspace) never passes crash points, so the variable cannot stop a running bot.
 *
 * Points: `backup:<n>` (n-th progress report of the backup export), `backup:written` (ZIP written, manifest
 * not yet), `batch:<n>` (after batch n committed), `in-batch:<n>` (inside batch n's transaction, before
 * commit), `table:<name>` (table pass finished and checkpointed, next not started), `validating` (batches
 * done, validation not started), `undo-batch:<n>` / `in-undo-batch:<n>` (the same for the exact undo),
 * `restore:<n>` (n-th progress report of a full restore's import, inside its transaction), `restore:imported`
 * (the import returned and the run says so, the restore not yet finished), and for fixes `fix-batch:<n>` /
 * `in-fix-batch:<n>` / `fix-undo-batch:<n>` / `in-fix-undo-batch:<n>` (the same for a fix run and its undo; the `in-`
 * points inside SQLite transactions). The approval executor (`src/approvals/execute.ts`) adds `approval:claimed`
 * (request moved to running, its run not begun), `approval:run-ended` (run ended, request not yet closed) and
 * `approval:closed` (request closed, nothing told yet).
 */

/** Environment variable naming the crash points. */
export const KILL_AT_ENV = 'ONTOLOGY_OPS_TEST_KILL_AT';

/** A function the service calls at each named point. */
export type CrashPoint = (point: string) => void;

/** No crash points (production). */
export const noCrashPoints: CrashPoint = () => {};

/** Crash points from the environment: SIGKILL this process at the listed points. */
export function crashPointsFromEnv(env: NodeJS.ProcessEnv): CrashPoint {
  const raw = env[KILL_AT_ENV];
  if (!raw) return noCrashPoints;
  const points = new Set(raw.split(',').map((point) => point.trim()).filter(Boolean));
  return (point) => {
    if (points.has(point)) process.kill(process.pid, 'SIGKILL');
  };
}
