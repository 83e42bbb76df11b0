/**
 * The named fixes as a service over ports only: the plan and run of each fix (`orphans.ts`) and the exact undo
 * of a fix run (`undo.ts`), on the migration's context (the same lease, run registry, backups and quality
 * probe). The CLI (`fix`, `rollback --run`) and Slack call the `FixService` it returns.
 */
import { ErrorCode, OpsError } from '../errors.ts';
import { scoped } from '../migration/context.ts';
import { migrationContextOf, type MigrationDeps } from '../migration/service.ts';
import { planOrphans, runOrphans } from './orphans.ts';
import type { FixName, FixStore } from './port.ts';
import type { FixService } from './types.ts';
import { undoFix } from './undo.ts';

export type * from './types.ts';
export { FIX_NAMES, type FixName } from './port.ts';
export { DEFAULT_PLAN_LIMIT } from './orphans.ts';

/** What the fix service is built from: the migration's ports plus the fix store. */
export interface FixDeps extends MigrationDeps {
  fixes: FixStore;
}

/** Refuses the fixes that are not built yet, with what to do instead. */
function onlyOrphans(fix: FixName): void {
  if (fix !== 'orphans') {
    throw new OpsError(
      ErrorCode.InvalidArgument,
      `fix ${fix} is not available yet: only \`fix orphans\` runs today; see MIGRATION_RUNBOOK.md for the manual steps of ${fix}.`,
    );
  }
}

/** The fix service over the given ports. */
export function createFixService(deps: FixDeps): FixService {
  const context = migrationContextOf(deps);
  return {
    plan: async (fix, options = {}) => {
      onlyOrphans(fix);
      return scoped(context, () => planOrphans(context, deps.fixes, options));
    },
    run: async (fix, options) => {
      onlyOrphans(fix);
      return scoped(context, () => runOrphans(context, deps.fixes, options));
    },
    undo: (runId, options) => scoped(context, () => undoFix(context, deps.fixes, runId, options)),
  };
}
