/**
 * Migration backups: a Convex snapshot ZIP of every table in the uniform encoding plus a manifest JSON next to
 * it (per-table counts and sha256, naming generation, creation time, source store, whole-file sha256). A backup
 * is written under a temporary name, verified, and only then given its final name, so a crash mid-backup never
 * leaves a file that looks complete. Writing one is the store adapter's (`BackupPort.write`); reading and
 * verifying one needs only the file.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { ErrorCode, OpsError } from '../errors.js';
import type { ExportSummary } from '../snapshot/export.js';
import { verifySnapshot } from '../snapshot/reader.js';

/** A backup that is missing, corrupt or does not match its manifest; nothing was changed. */
export class BackupInvalidError extends OpsError {
  constructor(message: string) {
    super(ErrorCode.BackupInvalid, message);
    this.name = 'BackupInvalidError';
  }
}

/** The `format` of every backup manifest. */
export const MANIFEST_FORMAT = 'ontology-ops-backup';

/** The manifest written next to a backup ZIP. */
export const BackupManifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.literal(1),
  /** File name of the ZIP (same folder as the manifest). */
  file: z.string().min(1),
  /** Epoch ms and ISO 8601 of the backup. */
  createdAt: z.number(),
  createdAtIso: z.string(),
  /** Absolute path of the store it came from. */
  source: z.string(),
  naming: z.enum(['current', 'legacy']),
  /** The migration run it was taken for, if any. */
  runId: z.string().nullable(),
  /** Size and sha256 of the ZIP file. */
  sizeBytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The store's v1-migration-completed marker when the backup was taken (restored with it). */
  v1MigrationCompletedAt: z.string().nullable(),
  tables: z.array(z.object({ name: z.string().min(1), documents: z.number().int().nonnegative(), sha256: z.string() })),
});
/** A backup manifest. */
export type BackupManifest = z.infer<typeof BackupManifestSchema>;

/** The manifest path of a backup ZIP: `<name>.manifest.json` next to `<name>.zip`. */
export function manifestPathOf(zipPath: string): string {
  return join(dirname(zipPath), `${basename(zipPath).replace(/\.zip$/i, '')}.manifest.json`);
}

/** sha256 of a file, streamed. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A written, verified backup. */
export interface BackupResult {
  path: string;
  manifestPath: string;
  manifest: BackupManifest;
}

/** What `verifyBackupFile` found: the manifest and the per-table counts. */
export interface BackupVerification {
  ok: true;
  path: string;
  manifestPath: string;
  manifest: BackupManifest;
  tables: { name: string; documents: number; sha256: string }[];
  documents: number;
}

/** Resolves a path given by an operator (the ZIP or its manifest) to the ZIP and manifest paths. */
export function backupPaths(file: string): { zipPath: string; manifestPath: string } {
  if (/\.manifest\.json$/i.test(file)) {
    const manifestPath = file;
    return { zipPath: join(dirname(file), `${basename(file).replace(/\.manifest\.json$/i, '')}.zip`), manifestPath };
  }
  return { zipPath: file, manifestPath: manifestPathOf(file) };
}

/** Reads and checks a manifest's shape. */
export function readManifest(manifestPath: string): BackupManifest {
  if (!existsSync(manifestPath)) {
    throw new BackupInvalidError(`${manifestPath}: manifest not found; a backup is the ZIP plus its .manifest.json next to it.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw new BackupInvalidError(`${manifestPath}: not valid JSON (${(error as Error).message}).`);
  }
  const result = BackupManifestSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new BackupInvalidError(`${manifestPath}: field ${issue.path.join('.') || '(root)'}: ${issue.message}.`);
  }
  return result.data;
}

/**
 * Publishes a backup whose ZIP was exported to `partialPath` inside `workDir`: writes its manifest, moves the ZIP
 * into place before the manifest (a ZIP without a manifest is never taken for a backup), removes the work folder
 * and verifies the result. Shared by every adapter's backup port.
 */
export async function publishBackup(input: {
  zipPath: string;
  partialPath: string;
  workDir: string;
  summary: ExportSummary;
  /** Where the data came from (store file or deployment URL). */
  source: string;
  now: number;
  runId: string | null;
  v1MigrationCompletedAt: string | null;
}): Promise<BackupResult> {
  const { zipPath, partialPath, workDir, summary } = input;
  const manifest: BackupManifest = {
    format: MANIFEST_FORMAT,
    version: 1,
    file: basename(zipPath),
    createdAt: input.now,
    createdAtIso: new Date(input.now).toISOString(),
    source: input.source,
    naming: summary.naming === 'legacy' ? 'legacy' : 'current',
    runId: input.runId,
    sizeBytes: statSync(partialPath).size,
    sha256: await sha256OfFile(partialPath),
    v1MigrationCompletedAt: input.v1MigrationCompletedAt,
    tables: summary.tables.map((table) => ({ name: table.name, documents: table.documents, sha256: table.sha256 })),
  };
  const manifestPath = manifestPathOf(zipPath);
  writeFileSync(join(workDir, basename(manifestPath)), `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(partialPath, zipPath);
  renameSync(join(workDir, basename(manifestPath)), manifestPath);
  rmSync(workDir, { recursive: true, force: true });
  await verifyBackupFile(zipPath);
  return { path: zipPath, manifestPath, manifest };
}

/**
 * Checks a backup without changing anything: the manifest, the ZIP's sha256 and size, every line of every
 * table parses, and each table's document count and sha256 match the manifest. Throws `BackupInvalidError`
 * naming the first problem.
 */
export async function verifyBackupFile(file: string): Promise<BackupVerification> {
  const { zipPath, manifestPath } = backupPaths(file);
  if (!existsSync(zipPath) && !existsSync(manifestPath)) {
    throw new BackupInvalidError(`${file}: no such backup (neither ${basename(zipPath)} nor ${basename(manifestPath)} exists there); pass a backup file that \`ontology-ops migration-status\` lists.`);
  }
  const manifest = readManifest(manifestPath);
  if (!existsSync(zipPath)) throw new BackupInvalidError(`${zipPath}: backup ZIP not found (named by ${manifestPath}).`);
  const size = statSync(zipPath).size;
  if (size !== manifest.sizeBytes) {
    throw new BackupInvalidError(`${zipPath}: size ${size} bytes, manifest says ${manifest.sizeBytes}: the file is truncated or replaced.`);
  }
  const sha256 = await sha256OfFile(zipPath);
  if (sha256 !== manifest.sha256) throw new BackupInvalidError(`${zipPath}: sha256 does not match the manifest: the file is corrupt.`);
  let tables: { name: string; documents: number; sha256: string }[];
  try {
    tables = (await verifySnapshot(zipPath)).tables;
  } catch (error) {
    throw new BackupInvalidError(`${zipPath}: ${(error as Error).message}`);
  }
  const found = new Map(tables.map((table) => [table.name, table]));
  for (const expected of manifest.tables) {
    const actual = found.get(expected.name);
    if (!actual) throw new BackupInvalidError(`${zipPath}: table ${expected.name} is in the manifest but not in the ZIP.`);
    if (actual.documents !== expected.documents) {
      throw new BackupInvalidError(`${zipPath}: table ${expected.name} holds ${actual.documents} documents, manifest says ${expected.documents}.`);
    }
    if (actual.sha256 !== expected.sha256) throw new BackupInvalidError(`${zipPath}: table ${expected.name}: sha256 does not match the manifest.`);
  }
  for (const table of tables) {
    if (!manifest.tables.some((expected) => expected.name === table.name)) {
      throw new BackupInvalidError(`${zipPath}: table ${table.name} is in the ZIP but not in the manifest.`);
    }
  }
  return {
    ok: true,
    path: zipPath,
    manifestPath,
    manifest,
    tables: manifest.tables,
    documents: manifest.tables.reduce((sum, table) => sum + table.documents, 0),
  };
}
