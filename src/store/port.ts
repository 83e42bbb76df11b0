/**
 * The storage port every feature talks to. Adapters: SQLite (embedded default, `src/store/sqlite/`) and,
 * later, Convex (server-side functions in `convex/`, one page per call).
 *
 * The port speaks in bounded operations (a page from a cursor, a count, a batch), never "load a whole table",
 * because the Convex adapter must stay within per-transaction limits (4,096 index reads, 32,000 documents).
 * Feature-specific ports (checks, migration, monitor state) live next to their features and are implemented
 * by each adapter; this file holds what they all share.
 */
import type { ConvexDocument, ConvexValue } from '../ontology/values.ts';
import type { Naming, OntologyTable } from '../ontology/naming.ts';

/** A page of documents in a stable order, and the cursor to continue after it. */
export interface DocumentPage {
  documents: ConvexDocument[];
  /** Opaque; pass it back to continue. Null when the page is the last. */
  continueCursor: string | null;
}

/** Counts of one physical table. */
export interface TableCount {
  /** Physical table name (`things` under the legacy naming). */
  name: string;
  /** The logical ontology table, when it is one. */
  logical: OntologyTable | null;
  documents: number;
}

/** What `ontology-ops info` shows. */
export interface StoreInfo {
  /** Where the data lives: a file path for SQLite, a deployment URL for Convex. */
  location: string;
  naming: Naming;
  tables: TableCount[];
  /** Bytes on disk (SQLite: database file plus WAL), or null when unknown. */
  sizeBytes: number | null;
  /** True once a v1 migration has completed on this store: missing groupIds are then critical. */
  v1MigrationCompleted: boolean;
}

/** A lease held by one holder until it expires (migration lock, scheduler leader). */
export interface Lease {
  name: string;
  holder: string;
  acquiredAt: number;
  expiresAt: number;
}

/**
 * The store-level lease every job that replaces or rewrites the data set holds (v1 migration, undo, restore,
 * `import --replace`, `seed --replace`), so none of them runs in the middle of another.
 */
export const DATA_SET_LEASE = 'v1-migration';

/** The result of trying to take a lease. */
export type LeaseResult = { acquired: true; lease: Lease } | { acquired: false; heldBy: Lease };

/** Document access shared by all features. Ontology tables are named logically; other tables physically. */
export interface DocumentStore {
  /** Where the data lives, for messages. */
  readonly location: string;
  naming(): Promise<Naming>;
  info(): Promise<StoreInfo>;
  /** Number of documents in a logical table, optionally only those whose own groupId is `groupId`. */
  count(table: OntologyTable, options?: { groupId?: string }): Promise<number>;
  /** One document by id, or null. */
  get(table: OntologyTable, id: string): Promise<ConvexDocument | null>;
  /** The group with this slug, or null. */
  findGroupBySlug(slug: string): Promise<ConvexDocument | null>;
  /**
   * Inserts a document into a logical ontology table; `_id` and `_creationTime` are assigned by the store.
   * Returns the stored document.
   */
  insert(table: OntologyTable, fields: Record<string, ConvexValue>): Promise<ConvexDocument>;
  /** Sets fields of one document (a field set to `undefined` is removed). Throws when the id is unknown. */
  patch(table: OntologyTable, id: string, fields: Record<string, ConvexValue | undefined>): Promise<void>;
  /** A page of a logical table in storage order, starting after `cursor` (null: from the start). */
  page(table: OntologyTable, cursor: string | null, limit: number): Promise<DocumentPage>;
  /**
   * Events where the entity is actor or target (each once), newest first: by timestamp, equal timestamps by
   * `_creationTime`, events without a timestamp last; at most `limit`.
   */
  eventsOfEntity(entityId: string, limit: number): Promise<ConvexDocument[]>;
  /** Connections from and to an entity, at most `limit` each. */
  connectionsOfEntity(
    entityId: string,
    limit: number,
  ): Promise<{ outgoing: ConvexDocument[]; incoming: ConvexDocument[] }>;
}

/** Leases for things only one process may do at a time. */
export interface LeaseStore {
  /** Takes the lease when it is free, expired, or already held by `holder` (then it is renewed). */
  acquireLease(name: string, holder: string, ttlMs: number, now: number): Promise<LeaseResult>;
  /** Extends a lease the holder still has; false when it was lost. */
  renewLease(name: string, holder: string, ttlMs: number, now: number): Promise<boolean>;
  /** Gives the lease up when `holder` has it. */
  releaseLease(name: string, holder: string): Promise<void>;
  /** The current lease, expired or not, or null. */
  getLease(name: string): Promise<Lease | null>;
}

/** Small key/value settings of the store itself (e.g. whether the v1 migration has completed). */
export interface MetaStore {
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;
}

/** Keys of the store settings every adapter keeps (`MetaStore`). */
export const META_KEYS = {
  naming: 'naming_generation',
  v1MigrationCompletedAt: 'v1_migration_completed_at',
} as const;
