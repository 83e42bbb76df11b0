/**
 * Reading and writing within half of Convex's per-transaction limits. Convex aborts a query or mutation that
 * reads more than 4,096 index ranges (each `db.get` and each `db.query` is one), scans more than 32,000 documents,
 * reads more than 16 MiB, or writes more than 16,000 documents or 16 MiB; every function here stays at or below
 * half of each, in its worst case, so a page never fails on a limit and there is room for what a caller adds.
 *
 * What counts as read: every document a query or `db.get` returns, AND the document `db.patch`, `db.replace` and
 * `db.delete` read again before they write (Convex reads the current version to merge or remove it: a patch of a
 * 1 MiB record reads 1 MiB more, though no index range). What counts as written: the whole new version of each
 * inserted, patched or replaced document (a patch of one field of a 1 MiB record writes 1 MiB).
 *
 * A document is at most 1 MiB, so the worst case of "read N more documents" is N MiB: `ReadBudget.fits` asks
 * whether the next step still fits if every document it reads or writes were that large, and callers stop before
 * it. Since 8 MiB is eight such documents, one step of any function here (a record, its two endpoints, its patch)
 * always fits in a fresh budget: a call handles at least one step, so it always makes progress.
 */
import { getDocumentSize, type Value } from 'convex/values';

/** Half of Convex's per-transaction read limits: what every function here allows itself. */
export const HALF_LIMITS = {
  /** 4,096 / 2. */
  indexRanges: 2_048,
  /** 32,000 / 2. */
  documents: 16_000,
  /** 16 MiB / 2. */
  bytes: 8 * 1024 * 1024,
} as const;

/** Half of Convex's per-transaction write limits (16,000 documents, 16 MiB). */
export const HALF_WRITE_LIMITS = { documents: 8_000, bytes: 8 * 1024 * 1024 } as const;

/** The largest document Convex stores. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;

/**
 * What a patch adds to a document at most, over the version it read (a groupId id, a schemaVersion, the
 * `archived` flag, an undo outcome and its fields): what `wrote` charges on top of the size read.
 */
export const PATCH_GROWTH_BYTES = 512;

/** The limits a `ReadBudget` keeps to (writes: `HALF_WRITE_LIMITS` unless given). */
export interface ReadLimits {
  indexRanges: number;
  documents: number;
  bytes: number;
  writtenDocuments?: number;
  writtenBytes?: number;
}

/** Counts what one function has read and written so far, against `HALF_LIMITS` (or tighter limits). */
export class ReadBudget {
  indexRanges = 0;
  documents = 0;
  bytes = 0;
  writtenDocuments = 0;
  writtenBytes = 0;

  constructor(readonly limits: ReadLimits = HALF_LIMITS) {}

  /** Records one `db.get` or `db.query` (an index range). */
  range(): void {
    this.indexRanges++;
  }

  /** Records one document read (null: a `db.get` that found nothing, which reads no document). */
  read(document: Record<string, Value> | null): void {
    if (document === null) return;
    this.documents++;
    this.bytes += getDocumentSize(document);
  }

  /** Records the second read of a document that `db.patch`, `db.replace` or `db.delete` does (no index range). */
  reread(document: Record<string, Value>): void {
    this.documents++;
    this.bytes += getDocumentSize(document);
  }

  /** Records a patch of `document`: its re-read and the new version written (at most `PATCH_GROWTH_BYTES` larger). */
  patched(document: Record<string, Value>): void {
    this.reread(document);
    this.wrote(getDocumentSize(document) + PATCH_GROWTH_BYTES);
  }

  /** Records one document written of `bytes` (an insert, or the new version of a patched one). */
  wrote(bytes: number): void {
    this.writtenDocuments++;
    this.writtenBytes += bytes;
  }

  /** Charges a step whose reads are not counted one by one at its worst case (documents of the largest size). */
  reserve(ranges: number, documents: number): void {
    this.indexRanges += ranges;
    this.documents += documents;
    this.bytes += documents * MAX_DOCUMENT_BYTES;
  }

  /**
   * True when `ranges` more index ranges, `documents` more documents read and `writes` more documents written,
   * every one of the largest size, still fit.
   */
  fits(ranges: number, documents: number, writes = 0): boolean {
    return (
      this.indexRanges + ranges <= this.limits.indexRanges &&
      this.documents + documents <= this.limits.documents &&
      this.bytes + documents * MAX_DOCUMENT_BYTES <= this.limits.bytes &&
      this.writtenDocuments + writes <= (this.limits.writtenDocuments ?? HALF_WRITE_LIMITS.documents) &&
      this.writtenBytes + writes * (MAX_DOCUMENT_BYTES + PATCH_GROWTH_BYTES) <= (this.limits.writtenBytes ?? HALF_WRITE_LIMITS.bytes)
    );
  }
}
