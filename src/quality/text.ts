/**
 * Plain-text presentation of quality reports for the terminal: status words with a symbol, and tables
 * (cli-table3). Shows ids, counts and field names only.
 */
import Table from 'cli-table3';
import type { Status } from './categories.ts';
import { STATUS_LOOK } from './severity.ts';

/** A status as symbol and word, e.g. "🚨 critical" (the severity model's look). */
export function statusLabel(status: Status): string {
  return `${STATUS_LOOK[status].symbol} ${status}`;
}

/** A plain table (no colours, so output is the same on a terminal and in a file). */
export function textTable(head: string[], rows: (string | number)[][], colWidths?: (number | null)[]): string {
  const table = new Table({
    head,
    style: { head: [], border: [] },
    ...(colWidths ? { colWidths, wordWrap: true, wrapOnWordBoundary: true } : {}),
  });
  for (const row of rows) table.push(row.map(String));
  return table.toString();
}

/** An epoch-ms instant as ISO 8601 text (or the number when it is not a valid date). */
export function isoInstant(epochMs: number): string {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? String(epochMs) : date.toISOString();
}
