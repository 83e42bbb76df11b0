/**
 * The `DocumentStore` port over a Convex deployment: every method is one or more bounded calls of
 * `convex/documents.ts` (a count pages through `countPage`), so no call can exceed a transaction limit.
 */
import { InvalidArgumentError, NotFoundError } from '../../errors.ts';
import { namingFor, ONTOLOGY_TABLES, physicalTable, type Naming, type NamingGeneration, type OntologyTable } from '../../ontology/naming.ts';
import type { ConvexDocument, ConvexValue } from '../../ontology/values.ts';
import type { DocumentPage, DocumentStore, StoreInfo } from '../port.ts';
import { convexErrorData, type ConvexCaller } from './client.ts';

/** ONE's tables outside the ontology that `info` lists when they hold documents. */
const OTHER_TABLES = ['dataQualitySnapshots', 'thingKnowledge'] as const;

/** Prefix of the page cursors this adapter hands out (Convex's own cursor follows). */
const PAGE_CURSOR_PREFIX = 'page:';

/** Documents of a Convex deployment (one instance per deployment; constructed by the composition root). */
export class ConvexDocumentStore implements DocumentStore {
  readonly location: string;

  constructor(private readonly caller: ConvexCaller) {
    this.location = caller.url;
  }

  async naming(): Promise<Naming> {
    return namingFor(await this.caller.query<NamingGeneration>('documents:naming', {}));
  }

  async info(): Promise<StoreInfo> {
    const naming = await this.naming();
    const tables: StoreInfo['tables'] = [];
    for (const table of ONTOLOGY_TABLES) tables.push({ name: physicalTable(table, naming), logical: table, documents: await this.countTable(table, null) });
    for (const table of OTHER_TABLES) {
      const documents = await this.countTable(table, null);
      if (documents > 0) tables.push({ name: table, logical: null, documents });
    }
    return {
      location: this.location,
      naming,
      tables,
      sizeBytes: null,
      v1MigrationCompleted: await this.caller.query<boolean>('documents:v1MigrationCompleted', {}),
    };
  }

  async count(table: OntologyTable, options: { groupId?: string } = {}): Promise<number> {
    return this.countTable(table, table === 'groups' ? null : (options.groupId ?? null));
  }

  private async countTable(table: OntologyTable | (typeof OTHER_TABLES)[number], groupId: string | null): Promise<number> {
    let total = 0;
    let cursor: string | null = null;
    do {
      const page: { count: number; continueCursor: string | null } = await this.caller.query('documents:countPage', { table, groupId, cursor });
      total += page.count;
      cursor = page.continueCursor;
    } while (cursor !== null);
    return total;
  }

  async get(table: OntologyTable, id: string): Promise<ConvexDocument | null> {
    return this.caller.query<ConvexDocument | null>('documents:get', { table, id });
  }

  async findGroupBySlug(slug: string): Promise<ConvexDocument | null> {
    return this.caller.query<ConvexDocument | null>('documents:findGroupBySlug', { slug });
  }

  async insert(table: OntologyTable, fields: Record<string, ConvexValue>): Promise<ConvexDocument> {
    return this.caller.mutation<ConvexDocument>('documents:insert', { table, fields });
  }

  async patch(table: OntologyTable, id: string, fields: Record<string, ConvexValue | undefined>): Promise<void> {
    const set: Record<string, ConvexValue> = {};
    const unset: string[] = [];
    for (const [key, value] of Object.entries(fields)) {
      if (key === '_id' || key === '_creationTime') throw new Error(`System field ${key} cannot be patched`);
      if (value === undefined) unset.push(key);
      else set[key] = value;
    }
    try {
      await this.caller.mutation('documents:patch', { table, id, set, unset });
    } catch (error) {
      if (convexErrorData(error)?.code === 'NotFound') throw new NotFoundError(`No document ${id} in table ${table}`);
      throw error;
    }
  }

  async page(table: OntologyTable, cursor: string | null, limit: number): Promise<DocumentPage> {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new InvalidArgumentError(`The page limit must be a whole number of at least 1, got ${limit}.`);
    if (cursor !== null && !cursor.startsWith(PAGE_CURSOR_PREFIX)) {
      throw new InvalidArgumentError(`Invalid page cursor "${cursor}": pass null to start, or the continueCursor of the previous page.`);
    }
    const inner = cursor === null ? null : cursor.slice(PAGE_CURSOR_PREFIX.length);
    const { value } = await this.caller.shrinking(limit, (size) =>
      this.caller.query<{ documents: ConvexDocument[]; continueCursor: string | null }>('documents:page', { table, cursor: inner, limit: size }),
    );
    return { documents: value.documents, continueCursor: value.continueCursor === null ? null : PAGE_CURSOR_PREFIX + value.continueCursor };
  }

  async eventsOfEntity(entityId: string, limit: number): Promise<ConvexDocument[]> {
    return this.caller.query<ConvexDocument[]>('documents:eventsOfEntity', { entityId, limit });
  }

  async connectionsOfEntity(entityId: string, limit: number): Promise<{ outgoing: ConvexDocument[]; incoming: ConvexDocument[] }> {
    return this.caller.query('documents:connectionsOfEntity', { entityId, limit });
  }
}
