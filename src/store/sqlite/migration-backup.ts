/**
 * The SQLite implementation of the migration's `BackupPort` (`src/migration/port.ts`): a backup is a snapshot
 * export (uniform encoding) plus its manifest, a restore is a snapshot import with `replace`, and the
 * comparison reads the backup one document at a time against the store.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { OntologyTable } from '../../ontology/naming.ts';
import { decodeSnapshotLine, ontologyTableOf } from '../../snapshot/documents.ts';
import { exportSnapshot } from '../../snapshot/export.ts';
import { importSnapshot } from '../../snapshot/import.ts';
import { SnapshotReader } from '../../snapshot/reader.ts';
import { publishBackup, verifyBackupFile, type BackupResult, type BackupVerification } from '../../migration/backup.ts';
import type { BackupPort, LeaseFence } from '../../migration/port.ts';
import { idSample, type IdSample, type RestoreComparison } from '../../migration/restore-diff.ts';
import { noCrashPoints, type CrashPoint } from '../../migration/test-hooks.ts';
import { fenceLease } from './migration-store.ts';
import { yieldToEventLoop } from './snapshot-load.ts';
import type { SqliteStore } from './sqlite-store.ts';

/** Rows sampled per table to estimate a backup's size. */
const BACKUP_SAMPLE_ROWS = 2_000;

/** Options of the SQLite backup port. */
export interface SqliteBackupPortOptions {
  /** Test crash points (`backup:<n>`, `backup:written`, `restore:<n>`); see test-hooks.ts. */
  crash?: CrashPoint;
}

/** Backups and full restores of one SQLite store. */
export class SqliteBackupPort implements BackupPort {
  private readonly crash: CrashPoint;

  constructor(
    readonly store: SqliteStore,
    options: SqliteBackupPortOptions = {},
  ) {
    this.crash = options.crash ?? noCrashPoints;
  }

  get location(): string {
    return this.store.location;
  }

  defaultDir(): string {
    return join(dirname(this.store.location), 'backups');
  }

  fileStem(): string {
    return basename(this.store.location).replace(/\.[^.]*$/, '');
  }

  /**
   * About the uncompressed size of a backup (documents plus line ends), from each table's row count and the
   * mean size of up to `BACKUP_SAMPLE_ROWS` rows spread over it; the ZIP itself is several times smaller.
   * Sampling reads a few pages instead of the whole store.
   */
  async estimate(): Promise<{ bytes: number; documents: number; ontologyRecords: number }> {
    const db = this.store.database;
    let total = 0;
    let documents = 0;
    let ontologyRecords = 0;
    for (const table of ['groups', 'entities', 'connections', 'events', 'knowledge', 'other_documents']) {
      const { rows, first, last } = db.prepare(`SELECT COUNT(*) AS rows, MIN(rowid) AS first, MAX(rowid) AS last FROM ${table}`).get() as {
        rows: number;
        first: number | null;
        last: number | null;
      };
      documents += rows;
      if (table !== 'other_documents') ontologyRecords += rows;
      if (rows === 0 || first === null || last === null) continue;
      await yieldToEventLoop();
      const sample = db.prepare(`SELECT LENGTH(CAST(doc AS BLOB)) FROM ${table} WHERE rowid >= ? ORDER BY rowid LIMIT 1`).pluck(true);
      const samples = Math.min(rows, BACKUP_SAMPLE_ROWS);
      let bytes = 0;
      for (let index = 0; index < samples; index++) {
        bytes += (sample.get(first + Math.floor(((last - first) * index) / samples)) as number | undefined) ?? 0;
      }
      total += Math.ceil((bytes / samples + 1) * rows);
      // Counting and sampling a large table takes tens of milliseconds: let Slack acks and progress through.
      await yieldToEventLoop();
    }
    return { bytes: total, documents, ontologyRecords };
  }

  async write(
    zipPath: string,
    options: { now: number; runId: string | null; v1MigrationCompletedAt: string | null; onProgress?: (documents: number) => void; fence?: () => LeaseFence },
  ): Promise<BackupResult> {
    let lastRenew = -Infinity;
    const fence = options.fence;
    return writeBackup(this.store, zipPath, {
      ...options,
      crash: this.crash,
      // The export reads in this thread, so the lease is renewed (and checked) as it goes.
      renew: fence
        ? () => {
            const lease = fence();
            if (lease.now - lastRenew < lease.ttlMs / 4) return;
            fenceLease(this.store.database, lease);
            lastRenew = lease.now;
          }
        : undefined,
    });
  }

  async verify(file: string): Promise<BackupVerification> {
    return verifyBackupFile(file);
  }

  async compare(zipPath: string, idLimit: number): Promise<RestoreComparison> {
    return compareWithBackup(this.store, zipPath, idLimit);
  }

  /**
   * Imports the backup with `replace`, in one transaction on this store's own connection. The lease is checked
   * and renewed inside that same transaction at every progress report: while the import holds the write lock
   * no other process can take the lease (taking it is a write), and the renewal commits with the data, so the
   * lease can never be seen expired by a process that could act on it, however long the restore takes. (A
   * writer thread would hold the write lock on another connection, where this thread could not renew.)
   */
  async restore(zipPath: string, options: { fence: () => LeaseFence; onProgress?: (doneBytes: number, totalBytes: number) => void }): Promise<{ documents: number }> {
    let reports = 0;
    fenceLease(this.store.database, options.fence());
    const summary = await importSnapshot(this.store, zipPath, {
      replace: true,
      writerThread: false,
      onProgress: (doneBytes, totalBytes) => {
        fenceLease(this.store.database, options.fence());
        this.crash(`restore:${++reports}`);
        options.onProgress?.(doneBytes, totalBytes);
      },
    });
    // The commit took time too: renew before the caller goes on.
    fenceLease(this.store.database, options.fence());
    return { documents: summary.documents };
  }
}

/**
 * Writes a backup of `store` to `zipPath` (must end in `.zip`) and its manifest, then verifies both. Progress is
 * reported in documents written. `crash` is the test hook (see test-hooks.ts).
 */
async function writeBackup(
  store: SqliteStore,
  zipPath: string,
  options: {
    now: number;
    runId: string | null;
    v1MigrationCompletedAt: string | null;
    onProgress?: (documents: number) => void;
    renew?: () => void;
    crash?: (point: string) => void;
  },
): Promise<BackupResult> {
  // Everything unfinished goes into one work folder per backup, emptied first: a crash mid-export leaves
  // leftovers only there, and the next attempt removes them.
  const workDir = join(dirname(zipPath), `.${basename(zipPath)}.partial`);
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const partialPath = join(workDir, basename(zipPath));
  let reports = 0;
  const summary = await exportSnapshot(store, partialPath, {
    onProgress: (documents) => {
      reports++;
      options.crash?.(`backup:${reports}`);
      options.renew?.();
      options.onProgress?.(documents);
    },
  });
  options.crash?.('backup:written');
  return publishBackup({ zipPath, partialPath, workDir, summary, source: store.location, now: options.now, runId: options.runId, v1MigrationCompletedAt: options.v1MigrationCompletedAt });
}

const LIST_PAGE_ROWS = 20_000;

/** Where a table's documents live in the SQLite layout: a logical ontology table, or `other_documents`. */
function locate(
  physical: string,
  logical: OntologyTable | null,
): { sql: string; key: (id: string) => unknown[]; list: string; listArgs: unknown[]; label: string } {
  if (logical) {
    return {
      sql: `SELECT doc FROM ${logical} WHERE id = ?`,
      key: (id) => [id],
      list: `SELECT rowid, id FROM ${logical} WHERE rowid > ? ORDER BY rowid LIMIT ?`,
      listArgs: [],
      label: logical,
    };
  }
  return {
    sql: 'SELECT doc FROM other_documents WHERE table_name = ? AND id = ?',
    key: (id) => [physical, id],
    list: 'SELECT rowid, id FROM other_documents WHERE table_name = ? AND rowid > ? ORDER BY rowid LIMIT ?',
    listArgs: [physical],
    label: physical,
  };
}

/** Compares the store with the backup ZIP at `zipPath`; writes nothing. */
async function compareWithBackup(store: SqliteStore, zipPath: string, idLimit: number): Promise<RestoreComparison> {
  const created = idSample(idLimit);
  const changed = idSample(idLimit);
  const deleted = idSample(idLimit);
  let unchanged = 0;
  const seen = new Map<string, Set<string>>();
  const reader = await SnapshotReader.open(zipPath);
  try {
    const naming = reader.naming();
    for (const table of reader.tables) {
      const logical = ontologyTableOf(table.name, naming);
      const place = locate(table.name, logical);
      const lookup = store.database.prepare(place.sql).pluck();
      let ids = seen.get(place.label);
      if (!ids) seen.set(place.label, (ids = new Set()));
      const known = ids;
      await reader.readTable(table, (lines) => {
        for (const line of lines) {
          if (line.trim() === '') continue;
          // The text the store would hold after a restore, compared with what it holds now.
          const { id, text } = decodeSnapshotLine(line, table.encoding, logical);
          known.add(id);
          const stored = lookup.get(...place.key(id)) as string | undefined;
          if (stored === undefined) deleted.add(place.label, id);
          else if (stored !== text) changed.add(place.label, id);
          else unchanged++;
        }
      });
    }
  } finally {
    await reader.close();
  }
  const tables: OntologyTable[] = ['groups', 'entities', 'connections', 'events', 'knowledge'];
  const others = store.database.prepare('SELECT DISTINCT table_name FROM other_documents ORDER BY table_name').pluck().all() as string[];
  for (const [physical, logical] of [...tables.map((table) => [table, table] as const), ...others.map((name) => [name, null] as const)]) {
    const place = locate(physical, logical);
    const ids = seen.get(place.label) ?? new Set<string>();
    // Paged, one page per turn of the event loop: the store may hold a million ids.
    const list = store.database.prepare(place.list).raw(true);
    for (let cursor = 0; ; ) {
      const rows = list.all(...place.listArgs, cursor, LIST_PAGE_ROWS) as [number, string][];
      for (const [, id] of rows) if (!ids.has(id)) created.add(place.label, id);
      if (rows.length < LIST_PAGE_ROWS) break;
      cursor = rows.at(-1)![0];
      await yieldToEventLoop();
    }
  }
  const strip = ({ count, ids }: IdSample): IdSample => ({ count, ids });
  return { createdSinceBackup: strip(created), changedSinceBackup: strip(changed), deletedSinceBackup: strip(deleted), unchanged };
}
