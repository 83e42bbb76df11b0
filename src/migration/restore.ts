/**
 * Backups as the operator sees them: verifying one, and the full restore (`rollback --backup-file`), which
 * replaces the ontology with the backup atomically and marks the migration runs it predates rolled back.
 */
import { ErrorCode, OpsError } from '../errors.ts';
import { BackupInvalidError, type BackupVerification } from './backup.ts';
import { fenceFor, allRuns, releaseLease, takeLease, type MigrationContext } from './context.ts';
import { LEGACY_DEFAULT_SLUG } from './plan.ts';
import { StepMeter } from './progress.ts';
import { DEFAULT_ID_LIMIT } from './undo.ts';
import type { RestoreOptions, RestoreReport } from './types.ts';

/** The phase of a restore run whose import returned: a restart finishes the run without importing again. */
export const IMPORTED = 'imported';

/** Checks a backup (manifest, checksums, every line, counts); changes nothing. */
export async function verifyBackup(context: MigrationContext, file: string): Promise<BackupVerification> {
  return context.backups.verify(file);
}

/**
 * Full restore from a backup. `verify`: check only. `dryRun`: check and report what would change, including
 * records written since the backup that would be lost. Otherwise replace the ontology atomically.
 */
export async function restoreBackup(context: MigrationContext, file: string, options: RestoreOptions): Promise<RestoreReport> {
  const { migrations, backups } = context;
  const verification = await backups.verify(file);
  if (options.verify) return { status: 'verified', restoreRunId: null, backup: verification, comparison: null, documentsRestored: 0 };
  if (verification.manifest.source !== backups.location && !options.allowOtherStore) {
    throw new BackupInvalidError(
      `${verification.path}: backup of ${verification.manifest.source}, not of ${backups.location}: pass --allow-other-store to restore it here.`,
    );
  }
  if (options.dryRun) {
    const comparison = await backups.compare(verification.path, options.idLimit ?? DEFAULT_ID_LIMIT);
    return { status: 'dry_run', restoreRunId: null, backup: verification, comparison, documentsRestored: 0 };
  }
  const holder = context.holderId();
  await takeLease(context, holder);
  const emit = options.onProgress ?? (() => {});
  const runId = options.claimedRunId ?? context.newRunId();
  let created = false;
  try {
    const startedAt = context.now();
    // Checked under the lock: a claimed restore that ended is reported as it ended, never restored twice.
    const claimed = options.claimedRunId ? await migrations.getRun(runId) : null;
    if (claimed && (claimed.kind !== 'restore' || claimed.state === 'failed')) {
      throw new OpsError(ErrorCode.MigrationFailed, `Restore ${runId} failed before: ${claimed.error ?? `run ${runId} is not a restore run`}; request the restore again.`);
    }
    if (claimed?.state === 'completed') {
      const documentsRestored = (claimed.result as { documentsRestored?: number } | null)?.documentsRestored ?? verification.documents;
      return { status: 'completed', restoreRunId: runId, backup: verification, comparison: null, documentsRestored };
    }
    // We hold the lock, so a restore still marked running was interrupted; its import rolled back whole.
    for (const stale of await allRuns(context, { kind: 'restore', states: ['running'] })) {
      if (stale.id === runId) continue;
      const error = stale.phase === IMPORTED ? 'interrupted after its import, before it was recorded' : 'interrupted before it completed; nothing was restored';
      await migrations.updateRun(stale.id, { state: 'failed', error, updatedAt: startedAt });
    }
    created = true;
    if (claimed) await migrations.updateRun(runId, { holder, updatedAt: startedAt });
    else {
      await migrations.createRun({
        id: runId,
        kind: 'restore',
        state: 'running',
        actor: options.actor,
        holder,
        startedAt,
        batchSize: 0,
        backupFile: verification.path,
        phase: 'restore',
      });
    }
    // An import that returned before the process died is not run again: the run's phase says it ended. One cut
    // short (or whose end was not recorded) runs again; with `--replace` the same snapshot gives the same tables.
    if (claimed?.phase !== IMPORTED) {
      // Progress of a restore counts bytes of the backup's documents read (what the import reports).
      let meter: StepMeter | null = null;
      let lastBytes = 0;
      await backups.restore(verification.path, {
        fence: () => fenceFor(context, holder),
        onProgress: (doneBytes, totalBytes) => {
          meter ??= new StepMeter({ runId, operation: 'restore', phase: 'restore' }, context.monotonic, totalBytes);
          lastBytes = doneBytes;
          emit(meter.report(doneBytes));
        },
      });
      if (meter) emit((meter as StepMeter).report(lastBytes, true));
      await migrations.updateRun(runId, { phase: IMPORTED, updatedAt: context.now() });
      context.crash('restore:imported');
    }
    const finishedAt = context.now();
    await migrations.finishRestore({
      restoreRunId: runId,
      fence: fenceFor(context, holder),
      finishedAt,
      v1MarkerAt: verification.manifest.v1MigrationCompletedAt,
      backupRunId: verification.manifest.runId,
      backupCreatedAt: verification.manifest.createdAt,
      result: { documentsRestored: verification.documents, backupRunId: verification.manifest.runId },
      slug: LEGACY_DEFAULT_SLUG,
      event: {
        type: 'rollback_completed',
        timestamp: finishedAt,
        metadata: {
          rollbackRunId: runId,
          migrationRunId: verification.manifest.runId,
          actor: options.actor,
          mode: 'restore',
          backupFile: verification.path,
          documentsRestored: verification.documents,
          durationMs: finishedAt - startedAt,
        },
      },
      ...(options.keepEvents ? { kept: { slug: options.keepEvents.slug, events: options.keepEvents.events } } : {}),
    });
    return { status: 'completed', restoreRunId: runId, backup: verification, comparison: null, documentsRestored: verification.documents };
  } catch (error) {
    if (created) await migrations.updateRun(runId, { state: 'failed', error: error instanceof Error ? error.message.slice(0, 500) : String(error), updatedAt: context.now() });
    throw error;
  } finally {
    await releaseLease(context, holder);
  }
}
