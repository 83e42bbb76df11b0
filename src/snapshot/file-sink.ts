/**
 * A bulk-load port whose target is a snapshot file instead of a store: the documents of a load (e.g. the demo
 * data set, `seedInto(new SnapshotFileSink('demo.zip'), …)`) become a Convex snapshot export in the uniform
 * encoding, a ZIP or a folder, that `import` and `npx convex import` read. Documents are staged in a work folder
 * next to the target and the snapshot appears only at `commit`; `abort` leaves nothing behind.
 */
import { appendFileSync, createReadStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ErrorCode, OpsError } from '../errors.ts';
import { checkTableName, DuplicateDocumentError, type BulkDocuments, type BulkLoadPlan, type BulkLoadPort } from '../store/bulk-load.ts';
import { removeStaleTemporaries, writeSnapshotFiles, type DocumentsChunk, type ExportedTable, type SnapshotFileTable } from './export.ts';

/** Marker of the staging folder's name: `.<target name>.loading-<pid>`. */
const STAGING = 'loading';
/** Convex numbers user tables from 10001. */
const FIRST_TABLE_NUMBER = 10001;

interface StagedTable {
  name: string;
  file: string;
  documents: number;
}

/** Counts the lines of a staged file while streaming it (every line is one document). */
async function* stagedChunks(file: string): AsyncGenerator<DocumentsChunk> {
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    const bytes = chunk as Buffer;
    let documents = 0;
    for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) documents++;
    yield { bytes, documents };
  }
}

/** Writes a load into a snapshot ZIP (target ending in `.zip`) or folder: `new SnapshotFileSink(target)`. */
export class SnapshotFileSink implements BulkLoadPort {
  readonly path: string;
  private readonly work: string;
  private plan: BulkLoadPlan | null = null;
  private readonly tables = new Map<string, StagedTable>();
  private readonly ids = new Set<string>();
  /** What `commit` wrote, per table in table-number order. */
  written: ExportedTable[] = [];

  constructor(target: string) {
    this.path = resolve(target);
    this.work = join(dirname(this.path), `.${basename(this.path)}.${STAGING}-${process.pid}`);
  }

  async begin(plan: BulkLoadPlan): Promise<number> {
    if (this.plan) throw new Error('this bulk load has already begun');
    if (existsSync(this.path) && !plan.replace) {
      throw new OpsError(ErrorCode.Conflict, `Snapshot target ${this.path} already exists: choose a new path, or replace it.`);
    }
    for (const [name] of plan.tableNumbers) checkTableName(name);
    mkdirSync(dirname(this.path), { recursive: true });
    removeStaleTemporaries(this.path, STAGING);
    rmSync(this.work, { recursive: true, force: true });
    mkdirSync(this.work, { recursive: true });
    this.plan = plan;
    return 0;
  }

  async write(table: string, documents: BulkDocuments): Promise<void> {
    if (!this.plan) throw new Error('write before begin: call begin(plan) first');
    let staged = this.tables.get(table);
    if (!staged) {
      checkTableName(table);
      staged = { name: table, file: join(this.work, `${this.tables.size}.jsonl`), documents: 0 };
      appendFileSync(staged.file, '');
      this.tables.set(table, staged);
    }
    for (let index = 0; index < documents.ids.length; index++) {
      const id = documents.ids[index]!;
      if (this.ids.has(id)) throw new DuplicateDocumentError(table, documents.lines?.[index] ?? staged.documents + index + 1, id);
      this.ids.add(id);
    }
    if (documents.texts.length === 0) return;
    appendFileSync(staged.file, `${documents.texts.join('\n')}\n`);
    staged.documents += documents.texts.length;
  }

  async commit(): Promise<void> {
    if (!this.plan) throw new Error('commit before begin: call begin(plan) first');
    const numbers = new Map(this.plan.tableNumbers);
    let next = Math.max(FIRST_TABLE_NUMBER, ...numbers.values()) + (numbers.size > 0 ? 1 : 0);
    const tables: SnapshotFileTable[] = [];
    for (const staged of this.tables.values()) {
      let number = numbers.get(staged.name);
      if (number === undefined) number = next++;
      tables.push({ name: staged.name, number, chunks: () => stagedChunks(staged.file) });
    }
    tables.sort((a, b) => a.number - b.number);
    try {
      if (this.plan.replace) rmSync(this.path, { recursive: true, force: true });
      this.written = await writeSnapshotFiles(this.path, tables);
    } finally {
      rmSync(this.work, { recursive: true, force: true });
      this.plan = null;
    }
  }

  async abort(): Promise<void> {
    rmSync(this.work, { recursive: true, force: true });
    this.plan = null;
  }
}
