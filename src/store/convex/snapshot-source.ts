/**
 * The `SnapshotSource` port over a Convex deployment (`convex/snapshot.ts`), what `ontology-ops export` and
 * migration backups read. Each page is one query; pages are not read at one timestamp (Convex keeps history only
 * briefly, so a long export could not be), so documents written during an export may or may not be in it, and
 * the counts are those when the read began. Table numbers come from the tables' ids, which carry them; an empty
 * table (or a deployment whose ids carry none, such as a test deployment) gets the next free number from 10001,
 * as a fresh deployment would number it.
 */
import { tableNumberOfId } from '../../ontology/ids.ts';
import { logicalTable, type NamingGeneration } from '../../ontology/naming.ts';
import { stringifyUniform, type ConvexDocument } from '../../ontology/values.ts';
import { InvalidArgumentError } from '../../errors.ts';
import type { SnapshotRead, SnapshotSource, SourcePage, SourceTable } from '../snapshot-source.ts';
import type { ConvexCaller } from './client.ts';

/** First number Convex gives a user table. */
const FIRST_TABLE_NUMBER = 10001;
const CURSOR_PREFIX = 'export:';

/** Exports read from a Convex deployment (constructed by the composition root). */
export class ConvexSnapshotSource implements SnapshotSource {
  readonly location: string;

  constructor(private readonly caller: ConvexCaller) {
    this.location = caller.url;
  }

  async openSnapshotRead(): Promise<SnapshotRead> {
    const listing = await this.caller.query<{ naming: NamingGeneration; tables: { name: string; firstId: string | null }[] }>('snapshot:tables', {});
    const numbers = new Map<string, number>();
    for (const table of listing.tables) {
      const number = table.firstId === null ? undefined : tableNumberOfId(table.firstId);
      if (number !== undefined) numbers.set(table.name, number);
    }
    const used = new Set(numbers.values());
    let next = FIRST_TABLE_NUMBER;
    const tables: SourceTable[] = [];
    for (const table of listing.tables) {
      let number = numbers.get(table.name);
      if (number === undefined) {
        while (used.has(next)) next++;
        number = next;
        used.add(number);
      }
      tables.push({ name: table.name, number, documents: await this.count(table.name) });
    }
    tables.sort((a, b) => a.number - b.number);
    return new ConvexSnapshotRead(this.caller, listing.naming, tables);
  }

  private async count(table: string): Promise<number> {
    const countable = logicalTable(table) ?? table;
    let total = 0;
    let cursor: string | null = null;
    do {
      const page: { count: number; continueCursor: string | null } = await this.caller.query('documents:countPage', { table: countable, groupId: null, cursor });
      total += page.count;
      cursor = page.continueCursor;
    } while (cursor !== null);
    return total;
  }
}

/** One export read of a deployment. */
class ConvexSnapshotRead implements SnapshotRead {
  private closed = false;

  constructor(
    private readonly caller: ConvexCaller,
    readonly naming: NamingGeneration,
    readonly tables: readonly SourceTable[],
  ) {}

  async page(table: string, cursor: string | null, limit: number): Promise<SourcePage> {
    if (this.closed) throw new Error('The snapshot read is closed.');
    if (!this.tables.some((listed) => listed.name === table)) throw new Error(`Table ${table} is not in this snapshot read.`);
    if (cursor !== null && !cursor.startsWith(CURSOR_PREFIX)) throw new InvalidArgumentError(`Invalid page cursor "${cursor}" for table ${table}.`);
    const inner = cursor === null ? null : cursor.slice(CURSOR_PREFIX.length);
    const { value } = await this.caller.shrinking(limit, (size) =>
      this.caller.query<{ documents: ConvexDocument[]; continueCursor: string | null }>('snapshot:page', { table, cursor: inner, limit: size }),
    );
    return {
      texts: value.documents.map((document) => stringifyUniform(document)),
      continueCursor: value.continueCursor === null ? null : CURSOR_PREFIX + value.continueCursor,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
