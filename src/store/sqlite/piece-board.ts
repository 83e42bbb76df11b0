/**
 * The board the threads of one platform-wide scan share (an Int32Array over a SharedArrayBuffer): which thread
 * claimed which piece, and which helper threads have fixed their read snapshot. Every thread claims the next
 * unclaimed piece when it is free, so the pieces spread over the threads by how fast each one goes, without a
 * message round trip per piece (the scanning thread cannot answer messages while it computes).
 *
 * Slot 0 is the scanning thread; helper threads are slots 1 … threads - 1.
 */

/** A view of a shared board. */
export class PieceBoard {
  private constructor(
    /** Cells 0 … threads - 1: 1 once that slot's snapshot is fixed; then one cell per piece: owner slot + 1, or 0. */
    readonly cells: Int32Array,
    readonly threads: number,
  ) {}

  /** A new board for `threads` threads and `pieces` pieces. */
  static create(threads: number, pieces: number): PieceBoard {
    return new PieceBoard(new Int32Array(new SharedArrayBuffer((threads + pieces) * Int32Array.BYTES_PER_ELEMENT)), threads);
  }

  /** The board whose cells another thread created (posted with a job). */
  static of(cells: Int32Array, threads: number): PieceBoard {
    return new PieceBoard(cells, threads);
  }

  get pieces(): number {
    return this.cells.length - this.threads;
  }

  /** Claims the first unclaimed piece for `slot`: its index, or -1 when every piece is taken. */
  claim(slot: number): number {
    for (let piece = 0; piece < this.pieces; piece++) {
      if (Atomics.load(this.cells, this.threads + piece) === 0 && Atomics.compareExchange(this.cells, this.threads + piece, 0, slot + 1) === 0) {
        return piece;
      }
    }
    return -1;
  }

  /** The slot that claimed `piece` (-1: nobody yet). */
  ownerOf(piece: number): number {
    return Atomics.load(this.cells, this.threads + piece) - 1;
  }

  /** Marks that `slot` has fixed its read snapshot (before it claims anything). */
  markBegun(slot: number): void {
    Atomics.store(this.cells, slot, 1);
  }

  hasBegun(slot: number): boolean {
    return Atomics.load(this.cells, slot) === 1;
  }
}
