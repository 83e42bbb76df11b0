/**
 * Reading within half of Convex's per-transaction limits. Convex aborts a query or mutation that reads more
 * than 4,096 index ranges (each `db.get` and each `db.query` is one), scans more than 32,000 documents or reads
 * more than 16 MiB; every function here stays at or below half of each, in its worst case, so a page never fails
 * on a limit and there is room for what a caller adds.
 *
 * A document is at most 1 MiB, so the worst case of "read N more documents" is N MiB: `ReadBudget.fits` asks
 * whether the next step still fits if every document it reads were that large, and callers stop before it.
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

/** The limits a `ReadBudget` keeps to. */
export interface ReadLimits {
  indexRanges: number;
  documents: number;
  bytes: number;
}

/** Counts what one function has read so far, against `HALF_LIMITS` (or tighter limits). */
export class ReadBudget {
  indexRanges = 0;
  documents = 0;
  bytes = 0;

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

  /** Charges a step whose reads are not counted one by one at its worst case (documents of the largest size). */
  reserve(ranges: number, documents: number): void {
    this.indexRanges += ranges;
    this.documents += documents;
    this.bytes += documents * MAX_DOCUMENT_BYTES;
  }

  /** True when `ranges` more index ranges and `documents` more documents of the largest size still fit. */
  fits(ranges: number, documents: number): boolean {
    return (
      this.indexRanges + ranges <= this.limits.indexRanges &&
      this.documents + documents <= this.limits.documents &&
      this.bytes + documents * MAX_DOCUMENT_BYTES <= this.limits.bytes
    );
  }
}
