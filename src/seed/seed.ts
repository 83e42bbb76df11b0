/**
 * Writes the demo data set (`dataset.ts`) through a bulk-load port: into a store (`seedStore`, the `seed`
 * command, `npm start`) or into any other sink, such as a snapshot file (`seedInto`). One load, all or nothing.
 */
import { ErrorCode, OpsError } from '../errors.ts';
import { StoreNotEmptyError, type BulkLoadLease, type BulkLoadPort, type BulkLoadTarget } from '../store/bulk-load.ts';
import { loadError, throwIfAborted } from '../snapshot/load-errors.ts';
import { generateSeedDataset, planSeedDataset, type SeedDatasetOptions, type SeedSummary } from './dataset.ts';

export {
  generateSeedDataset,
  MIN_SEED_ENTITIES,
  planSeedDataset,
  type MissingGroupIdCounts,
  type SeedBatch,
  type SeedDatasetOptions,
  type SeedDatasetPlan,
  type SeedDefects,
  type SeedFacts,
  type SeedSummary,
} from './dataset.ts';

/** What to seed, and how. */
export interface SeedOptions extends SeedDatasetOptions {
  /** Allow replacing a store that already holds documents (otherwise that is refused). */
  replace?: boolean;
  /** Called now and then with documents written so far and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Insert through a writer thread (default: from 20,000 entities on). */
  writerThread?: boolean;
  /** Refuse (one-line `LockHeld` error, nothing written) while another holder has this lease. */
  lease?: BulkLoadLease;
  /** Stops seeding between batches; the store is then left exactly as it was. */
  signal?: AbortSignal;
}

/** From this many entities on, a writer thread inserts while this thread generates (see snapshot-writer.ts). */
const WRITER_THREAD_MIN_ENTITIES = 20_000;

/** Lets the event loop run (timers, progress bars, signals) between batches. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Writes the data set through `load` (begin, every batch, commit; abort on any failure) and returns its
 * summary. `describe` names the target in a refusal message.
 */
export async function seedInto(load: BulkLoadPort, options: SeedOptions, describe = 'the target'): Promise<SeedSummary> {
  const plan = planSeedDataset(options);
  throwIfAborted(options.signal, 'seed');
  try {
    await load.begin({
      replace: options.replace === true,
      naming: plan.naming,
      tableNumbers: plan.tableNumbers,
      expectedDocuments: plan.totalDocuments,
      ...(options.lease ? { lease: options.lease } : {}),
    });
    let written = 0;
    const summary = await generateSeedDataset(options, async (batch) => {
      throwIfAborted(options.signal, 'seed');
      await load.write(batch.physical, batch.documents);
      written += batch.documents.ids.length;
      options.onProgress?.(written, plan.totalDocuments);
      await yieldToEventLoop();
    });
    throwIfAborted(options.signal, 'seed');
    await load.commit();
    return summary;
  } catch (error) {
    await load.abort();
    if (error instanceof StoreNotEmptyError) {
      throw new OpsError(
        ErrorCode.Conflict,
        `The store at ${describe} already holds ${error.documents} documents: pass --replace to replace them with seeded data.`,
      );
    }
    throw loadError(error, describe);
  }
}

/**
 * Seeds the store with a deterministic demo data set in one load. Refuses a store that already holds
 * documents unless `replace` is set (then the ontology tables, other tables and table numbers are replaced).
 */
export async function seedStore(store: BulkLoadTarget, options: SeedOptions): Promise<SeedSummary> {
  planSeedDataset(options);
  const load = store.bulkLoad({
    writerThread: options.writerThread ?? options.entities >= WRITER_THREAD_MIN_ENTITIES,
    // Seeding is a batch job (CLI, tests, benchmarks): building the indexes once at the end is faster.
    deferIndexes: true,
  });
  return seedInto(load, options, store.location);
}
