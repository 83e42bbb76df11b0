/**
 * The migration's `BackupPort` for a Convex deployment.
 *
 * - A backup is ONE's data tables (the ontology, `thingKnowledge`, `dataQualitySnapshots`; not the bot's own)
 *   paged through bounded queries (`ConvexSnapshotSource`) into the same snapshot ZIP the SQLite adapter writes
 *   (`exportSnapshot`, uniform encoding, `_tables` with the tables' real numbers read from the ids), with the
 *   same manifest; `verify` works on it as for SQLite, and `compare` covers its ontology tables.
 * - A full restore cannot be done with mutations: they cannot recreate documents under their original `_id`s.
 *   `restore` therefore runs `npx convex import --replace -y <backup.zip>` with the configured deploy key
 *   (`CONVEX_DEPLOY_KEY` in the child's environment, never on its command line), after asking for confirmation
 *   unless `yes`; in `print` mode it runs nothing and fails with the exact command, so nothing is recorded as
 *   restored. `--replace` (not `--replace-all`): the ZIP holds the ontology tables only, and `--replace-all`
 *   would also empty every table missing from it — the bot's run registry, journal and the very lease the
 *   restore holds. The lease is renewed while the import runs and checked again after it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ErrorCode, OpsError } from '../../errors.ts';
import { publishBackup, verifyBackupFile, type BackupResult, type BackupVerification } from '../../migration/backup.ts';
import type { BackupPort, LeaseFence } from '../../migration/port.ts';
import { idSample, type IdSample, type RestoreComparison } from '../../migration/restore-diff.ts';
import { ONTOLOGY_TABLES, type OntologyTable } from '../../ontology/naming.ts';
import { stringifyUniform } from '../../ontology/values.ts';
import { decodeSnapshotLine, ontologyTableOf } from '../../snapshot/documents.ts';
import { exportSnapshot } from '../../snapshot/export.ts';
import { SnapshotReader } from '../../snapshot/reader.ts';
import type { DocumentStore } from '../port.ts';
import type { ConvexCaller } from './client.ts';
import { ConvexSnapshotSource } from './snapshot-source.ts';

/** Documents per page when listing a table for `compare` (the server's `PAGE_MAX_DOCUMENTS`; it stops earlier on bytes). */
const BACKUP_PAGE_DOCUMENTS = 4_000;

/** The process `restore` starts: a command, its arguments and the environment it adds. */
export interface ImportCommand {
  command: string;
  args: string[];
  /** Added to the child's environment: the deploy key travels here, never in `args`. */
  env: Record<string, string>;
  /** The command as an operator types it, with the deploy key shown as `$CONVEX_DEPLOY_KEY`. */
  display: string;
}

/** Quotes an argument for a POSIX shell when it needs it. */
function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The `npx convex import` that restores `zipPath` into the deployment of `deployKey`. */
export function convexImportCommand(zipPath: string, deployKey: string): ImportCommand {
  if (!zipPath.endsWith('.zip')) throw new OpsError(ErrorCode.InvalidArgument, `The backup ${zipPath} is not a .zip file: pass the backup ZIP the migration wrote.`);
  if (deployKey.trim() === '') throw new OpsError(ErrorCode.InvalidArgument, 'CONVEX_DEPLOY_KEY is empty: set it to a deploy key of the deployment to restore into.');
  const path = resolve(zipPath);
  const args = ['convex', 'import', '--replace', '-y', path];
  return { command: 'npx', args, env: { CONVEX_DEPLOY_KEY: deployKey }, display: `CONVEX_DEPLOY_KEY=$CONVEX_DEPLOY_KEY npx ${args.map(shellQuote).join(' ')}` };
}

/** How `restore` treats the import. */
export interface ConvexRestoreOptions {
  /** `run`: run the import (after confirmation unless `yes`); `print`: only print it (`--print-command`). */
  mode: 'run' | 'print';
  /** Skip the confirmation (`--yes`). */
  yes: boolean;
  /** Asks the operator; true to go on. */
  confirm: (question: string) => Promise<boolean>;
  /** Writes a line for the operator. */
  print: (line: string) => void;
  /** Runs the command and resolves with its exit code (default: spawns it, output to this process's). */
  run?: (command: ImportCommand) => Promise<number>;
}

/** Spawns the import with the operator's terminal attached. */
function spawnImport(command: ImportCommand): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command.command, command.args, { stdio: 'inherit', env: { ...process.env, ...command.env } });
    child.on('error', reject);
    child.on('exit', (code) => resolvePromise(code ?? 1));
  });
}

/** Backups and full restores of one Convex deployment (constructed by the composition root). */
export class ConvexBackupPort implements BackupPort {
  readonly location: string;
  private readonly source: ConvexSnapshotSource;

  constructor(
    private readonly caller: ConvexCaller,
    private readonly documents: DocumentStore,
    private readonly options: { deployKey: string; backupDir?: string; restore: ConvexRestoreOptions },
  ) {
    this.location = caller.url;
    this.source = new ConvexSnapshotSource(caller);
  }

  defaultDir(): string {
    return this.options.backupDir ?? resolve('data', 'backups');
  }

  /** The deployment's name (`happy-otter-123` of `https://happy-otter-123.convex.cloud`). */
  fileStem(): string {
    return new URL(this.location).hostname.split('.')[0] || 'convex';
  }

  /** Counts every table (bounded count pages) and samples the first page of each for the mean document size. */
  async estimate(): Promise<{ bytes: number; documents: number; ontologyRecords: number }> {
    let bytes = 0;
    let documents = 0;
    for (const table of ONTOLOGY_TABLES) {
      const count = await this.documents.count(table);
      documents += count;
      if (count === 0) continue;
      const page = await this.documents.page(table, null, 200);
      const sampled = page.documents.reduce((sum, document) => sum + stringifyUniform(document).length + 1, 0);
      bytes += Math.ceil((sampled / Math.max(1, page.documents.length)) * count);
    }
    return { bytes, documents, ontologyRecords: documents };
  }

  private async fence(lease: LeaseFence): Promise<void> {
    await this.caller.mutation('migrationRuns:fence', { fence: { ...lease } });
  }

  async write(
    zipPath: string,
    options: { now: number; runId: string | null; v1MigrationCompletedAt: string | null; onProgress?: (documents: number) => void; fence?: () => LeaseFence },
  ): Promise<BackupResult> {
    const workDir = join(dirname(zipPath), `.${basename(zipPath)}.partial`);
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true });
    const partialPath = join(workDir, basename(zipPath));
    let lastRenew = -Infinity;
    const renewals: Promise<void>[] = [];
    const summary = await exportSnapshot(this.source, partialPath, {
      onProgress: (documents) => {
        const lease = options.fence?.();
        if (lease && lease.now - lastRenew >= lease.ttlMs / 4) {
          lastRenew = lease.now;
          renewals.push(this.fence(lease));
        }
        options.onProgress?.(documents);
      },
    });
    await Promise.all(renewals);
    return publishBackup({ zipPath, partialPath, workDir, summary, source: this.location, now: options.now, runId: options.runId, v1MigrationCompletedAt: options.v1MigrationCompletedAt });
  }

  async verify(file: string): Promise<BackupVerification> {
    return verifyBackupFile(file);
  }

  /** Reads the backup document by document against the deployment (one `documents:get` each), then lists what is new. */
  async compare(zipPath: string, idLimit: number): Promise<RestoreComparison> {
    const created = idSample(idLimit);
    const changed = idSample(idLimit);
    const deleted = idSample(idLimit);
    let unchanged = 0;
    const seen = new Map<OntologyTable, Set<string>>();
    const reader = await SnapshotReader.open(zipPath);
    try {
      const naming = reader.naming();
      for (const table of reader.tables) {
        const logical = ontologyTableOf(table.name, naming);
        if (logical === null) continue;
        const known = seen.get(logical) ?? new Set<string>();
        seen.set(logical, known);
        const lines: string[] = [];
        await reader.readTable(table, (chunk) => {
          for (const line of chunk) if (line.trim() !== '') lines.push(line);
        });
        for (const line of lines) {
          const { id, text } = decodeSnapshotLine(line, table.encoding, logical);
          known.add(id);
          const stored = await this.documents.get(logical, id);
          if (stored === null) deleted.add(logical, id);
          else if (stringifyUniform(stored) !== text) changed.add(logical, id);
          else unchanged++;
        }
      }
    } finally {
      await reader.close();
    }
    for (const table of ONTOLOGY_TABLES) {
      const ids = seen.get(table) ?? new Set<string>();
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<DocumentStore['page']>> = await this.documents.page(table, cursor, BACKUP_PAGE_DOCUMENTS);
        for (const document of page.documents) if (!ids.has(document._id)) created.add(table, document._id);
        cursor = page.continueCursor;
      } while (cursor !== null);
    }
    const strip = ({ count, ids }: IdSample): IdSample => ({ count, ids });
    return { createdSinceBackup: strip(created), changedSinceBackup: strip(changed), deletedSinceBackup: strip(deleted), unchanged };
  }

  /**
   * Restores the backup with `npx convex import` (see the module comment): in `print` mode it only prints the
   * command and fails with `Interrupted`, so the restore is not recorded as done.
   */
  async restore(zipPath: string, options: { fence: () => LeaseFence; onProgress?: (doneBytes: number, totalBytes: number) => void }): Promise<{ documents: number }> {
    const command = convexImportCommand(zipPath, this.options.deployKey);
    const restore = this.options.restore;
    if (restore.mode === 'print') {
      restore.print(command.display);
      throw new OpsError(ErrorCode.Interrupted, `Nothing was restored: run the printed command to replace the data tables of ${this.location} with ${zipPath}.`);
    }
    const verification = await verifyBackupFile(zipPath);
    if (!restore.yes && !(await restore.confirm(`Replace the data tables of ${this.location} with the ${verification.documents} documents of ${zipPath}? [y/N] `))) {
      throw new OpsError(ErrorCode.Interrupted, `Restore cancelled: nothing was changed in ${this.location}.`);
    }
    await this.fence(options.fence());
    const totalBytes = verification.manifest.sizeBytes;
    // The import runs outside any transaction: the lease is renewed while it runs, and checked after.
    const lease = options.fence();
    const timer = setInterval(() => void this.fence(options.fence()).catch(() => undefined), Math.max(1_000, lease.ttlMs / 4));
    let exitCode: number;
    try {
      exitCode = await (restore.run ?? spawnImport)(command);
    } finally {
      clearInterval(timer);
    }
    if (exitCode !== 0) {
      throw new OpsError(ErrorCode.MigrationFailed, `npx convex import exited with code ${exitCode}; see its output above. Run it again by hand with: ${command.display}`);
    }
    await this.fence(options.fence());
    options.onProgress?.(totalBytes, totalBytes);
    return { documents: verification.documents };
  }
}
