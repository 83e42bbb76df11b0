/**
 * The demo data set, independent of where it is written: realistic, deterministic documents for the ontology
 * (used by `npm start`, tests and benchmarks) — groups, entities of several types with properties,
 * connections, events (payment events, events older than a year) and knowledge — with a small, exactly known
 * number of every integrity defect planted in it, and that number (the defect oracle) in the summary.
 * `seed.ts` writes it into a store; `src/snapshot/file-sink.ts` into a snapshot; the same seed and options
 * always give the same documents, whatever the sink.
 *
 * For N entities: 2.5·N connections, 1.25·N events, 0.25·N knowledge records and max(3, N/2000) groups.
 * Every planted defect is counted in the summary by the definitions of the integrity checks, so tests can
 * compare a check's result with the summary.
 */
import { InvalidArgumentError } from '../errors.ts';
import { newConvexId } from '../ontology/ids.ts';
import {
  namingFor,
  ONTOLOGY_TABLES,
  physicalTable,
  type Naming,
  type NamingGeneration,
  type OntologyTable,
} from '../ontology/naming.ts';
import { stringifyUniform, type ConvexValue } from '../ontology/values.ts';
import type { BulkDocuments } from '../store/bulk-load.ts';
import { SeededRandom } from './random.ts';

/** Which data set to generate. */
export interface SeedDatasetOptions {
  /** Number of entities (at least 20); the other tables scale with it. */
  entities: number;
  /** Pre-v1 data: `things`/`fromThingId`/`toThingId`, most records without groupId or schemaVersion. */
  legacy?: boolean;
  /** PRNG seed (default 1): the same seed and options give the same documents. */
  seed?: number;
  /** The instant the data set is "as of" (epoch ms): timestamps and creation times lie before it. */
  now: number;
}

/** Records without a groupId per table, as the missing-groupId check counts them. */
export interface MissingGroupIdCounts {
  entities: number;
  connections: number;
  events: number;
  knowledge: number;
  total: number;
}

/** The defects in the seeded data, counted exactly as the integrity checks define them. */
export interface SeedDefects {
  /** Connections whose from- or to-id names no existing entity. */
  orphanedConnections: number;
  /** Knowledge records whose `sourceThingId` names no existing entity. */
  orphanedKnowledge: number;
  /** Connections whose endpoints exist, both have a groupId, and the groupIds differ. */
  crossGroupConnections: number;
  /** Events whose actor and target exist, both have a groupId, and the groupIds differ. */
  crossGroupEvents: number;
  /** crossGroupConnections + crossGroupEvents. */
  crossGroupReferences: number;
  missingGroupIds: MissingGroupIdCounts;
  /** Connections whose numeric `validTo` < numeric `validFrom`. */
  invalidValidity: number;
  /** `payment_event`s whose metadata lacks a valid protocol, status or numeric amount. */
  invalidPaymentMetadata: number;
  /** invalidValidity + invalidPaymentMetadata. */
  invalidMetadata: number;
  /** Entities whose properties break their type's rule. */
  malformedProperties: number;
  /** malformedProperties per entity type. */
  malformedByType: Record<string, number>;
  /** Entities without a numeric `schemaVersion` ≥ 1. */
  entitiesWithoutSchemaVersion: number;
}

/** Other facts the metrics depend on. */
export interface SeedFacts {
  /** Knowledge records with a `sourceThingId` (denominator part of the referential integrity score). */
  knowledgeWithSource: number;
  paymentEvents: number;
  /** Events with `timestamp` < now − 365 days, with the seed's `now`. */
  eventsOlderThanYear: number;
  /** Of those, events with `archived === true`. */
  archivedEventsOlderThanYear: number;
  /** Entities with a numeric `schemaVersion` ≥ 1. */
  v1Entities: number;
}

/** What a seed wrote. */
export interface SeedSummary {
  seed: number;
  naming: NamingGeneration;
  now: number;
  /** Documents per logical table. */
  tables: Record<OntologyTable, number>;
  /** entities + connections + events + knowledge. */
  records: number;
  defects: SeedDefects;
  facts: SeedFacts;
}

/** Smallest entity count: enough for two anchors per group and one of every defect. */
export const MIN_SEED_ENTITIES = 20;

const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;
/** Documents per batch handed to the sink: small enough to die young (larger batches survive into the old
 * generation and the garbage collector then spends more time than the inserts). */
const BATCH_SIZE = 1_000;
/** Convex numbers user tables from 10001, in creation order: the seed numbers its tables as a fresh deployment would. */
const FIRST_TABLE_NUMBER = 10001;

const RULED_TYPES = ['creator', 'organization', 'blog_post', 'course', 'product'] as const;
type RuledType = (typeof RULED_TYPES)[number];
/** Entity types and their share; `agent` and `lesson` have no property rule. */
const TYPE_WEIGHTS: readonly [string, number][] = [
  ['creator', 0.15],
  ['organization', 0.05],
  ['blog_post', 0.25],
  ['course', 0.1],
  ['product', 0.15],
  ['agent', 0.1],
  ['lesson', 0.2],
];
const RELATIONSHIP_TYPES = ['owns', 'authored', 'part_of', 'enrolled_in', 'follows', 'purchased', 'member_of', 'references'];
const EVENT_TYPES = ['entity_created', 'entity_updated', 'content_published', 'course_enrolled', 'connection_created', 'user_login'];
const KNOWLEDGE_TYPES = ['document', 'chunk', 'label', 'vector_only'];
const PROTOCOLS = ['x402', 'acp', 'ap2'];
const PAYMENT_STATUSES = ['requested', 'verified', 'processed'];
const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CHF'];
const WORDS = (
  'ontology group signal graph lesson market design growth insight agent course product creator audience ' +
  'launch pricing module review update network content story build learn share data model tenant payment ' +
  'protocol research guide series studio workflow practice'
).split(' ');

/** Defect rates of current data; each planted defect appears at least once. */
const CURRENT_RATES = {
  orphanedConnections: 0.002,
  crossGroupConnections: 0.001,
  invalidValidity: 0.001,
  crossGroupEvents: 0.001,
  invalidPayment: 0.0015,
  orphanedKnowledge: 0.005,
  malformed: 0.0005,
  withoutSchemaVersion: 0.03,
  missingGroupId: { entities: 0.001, connections: 0.001, events: 0.001, knowledge: 0.001 },
  oldEventsArchived: 0.95,
};
/** Pre-v1 data: groupIds mostly absent, schemaVersion mostly absent, old events mostly unarchived. */
const LEGACY_RATES = {
  ...CURRENT_RATES,
  withoutSchemaVersion: 0.9,
  missingGroupId: { entities: 0.85, connections: 0.95, events: 1, knowledge: 1 },
  oldEventsArchived: 0.1,
};

function plantedCount(rate: number, size: number): number {
  return size === 0 ? 0 : Math.max(1, Math.round(rate * size));
}

/** A batch of generated documents of one table. */
export interface SeedBatch {
  table: OntologyTable;
  /** Physical table name under the data set's naming (`things` for legacy entities). */
  physical: string;
  documents: BulkDocuments;
}

/** What a data set will hold, known before it is generated (what a sink's `begin` needs). */
export interface SeedDatasetPlan {
  seed: number;
  naming: NamingGeneration;
  /** Convex table numbers by physical table name. */
  tableNumbers: [string, number][];
  /** Documents of all tables. */
  totalDocuments: number;
}

interface ValidatedOptions {
  entities: number;
  seed: number;
  naming: Naming;
  now: number;
  tableNumbers: Record<OntologyTable, number>;
  counts: Record<OntologyTable, number>;
}

function validate(options: SeedDatasetOptions): ValidatedOptions {
  const entityCount = options.entities;
  if (!Number.isSafeInteger(entityCount) || entityCount < MIN_SEED_ENTITIES) {
    throw new InvalidArgumentError(`entities must be a whole number ≥ ${MIN_SEED_ENTITIES}, got ${entityCount}.`);
  }
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError(`seed must be a whole number, got ${seed}.`);
  if (!Number.isFinite(options.now)) throw new InvalidArgumentError(`now must be an instant in epoch ms, got ${options.now}.`);
  const naming = namingFor(options.legacy ? 'legacy' : 'current');
  const tableNumbers = Object.fromEntries(ONTOLOGY_TABLES.map((table, index) => [table, FIRST_TABLE_NUMBER + index])) as Record<
    OntologyTable,
    number
  >;
  const counts: Record<OntologyTable, number> = {
    groups: Math.max(3, Math.round(entityCount / 2000)),
    entities: entityCount,
    connections: Math.round(entityCount * 2.5),
    events: Math.round(entityCount * 1.25),
    knowledge: Math.round(entityCount * 0.25),
  };
  return { entities: entityCount, seed, naming, now: options.now, tableNumbers, counts };
}

/** The plan of the data set `options` describe (throws `InvalidArgumentError` naming a bad option). */
export function planSeedDataset(options: SeedDatasetOptions): SeedDatasetPlan {
  const valid = validate(options);
  return {
    seed: valid.seed,
    naming: valid.naming.generation,
    tableNumbers: ONTOLOGY_TABLES.map((table) => [physicalTable(table, valid.naming), valid.tableNumbers[table]]),
    totalDocuments: ONTOLOGY_TABLES.reduce((sum, table) => sum + valid.counts[table], 0),
  };
}

/**
 * Generates the data set, table after table (groups, entities, connections, events, knowledge), handing each
 * batch of at most 1,000 documents to `emit` (awaited before the next one); returns the summary with the exact
 * number of every planted defect. Deterministic: the same options give the same batches.
 */
export async function generateSeedDataset(
  options: SeedDatasetOptions,
  emit: (batch: SeedBatch) => void | Promise<void>,
): Promise<SeedSummary> {
  const valid = validate(options);
  return new Seeder(emit, valid).run();
}

/** Keeps the state of one seeding run. */
class Seeder {
  private readonly random: SeededRandom;
  private readonly rates: typeof CURRENT_RATES;
  private batch: SeedBatch | null = null;
  private readonly now: number;
  private clock: number;
  private clockStep = 1;
  private total = 0;
  private readonly randomBytes: (size: number) => Uint8Array;

  // Entities, by index: id, intended group, whether the groupId field was written.
  private entityIds: string[] = [];
  private entityGroup = new Int32Array(0);
  private readonly groupIds: string[] = [];
  private membersByGroup: number[][] = [];
  private groupedMembersByGroup: number[][] = [];
  private groupCumulativeWeights = new Float64Array(0);
  private entityTypeCumulative: number[] = [];

  private readonly summary: SeedSummary;

  private readonly naming: Naming;
  private readonly tableNumbers: Record<OntologyTable, number>;

  constructor(
    private readonly emit: (batch: SeedBatch) => void | Promise<void>,
    private readonly options: ValidatedOptions,
  ) {
    const { seed, naming } = options;
    this.naming = naming;
    this.tableNumbers = options.tableNumbers;
    this.random = new SeededRandom(seed);
    this.randomBytes = (size) => this.random.bytes(size);
    this.rates = naming.generation === 'legacy' ? LEGACY_RATES : CURRENT_RATES;
    this.now = options.now;
    this.clock = options.now - 800 * DAY_MS;
    let cumulative = 0;
    this.entityTypeCumulative = TYPE_WEIGHTS.map(([, weight]) => (cumulative += weight));
    this.summary = {
      seed,
      naming: naming.generation,
      now: options.now,
      tables: { groups: 0, entities: 0, connections: 0, events: 0, knowledge: 0 },
      records: 0,
      defects: {
        orphanedConnections: 0,
        orphanedKnowledge: 0,
        crossGroupConnections: 0,
        crossGroupEvents: 0,
        crossGroupReferences: 0,
        missingGroupIds: { entities: 0, connections: 0, events: 0, knowledge: 0, total: 0 },
        invalidValidity: 0,
        invalidPaymentMetadata: 0,
        invalidMetadata: 0,
        malformedProperties: 0,
        malformedByType: {},
        entitiesWithoutSchemaVersion: 0,
      },
      facts: { knowledgeWithSource: 0, paymentEvents: 0, eventsOlderThanYear: 0, archivedEventsOlderThanYear: 0, v1Entities: 0 },
    };
  }

  async run(): Promise<SeedSummary> {
    const { groups: groupCount, entities: entityCount, connections: connectionCount, events: eventCount, knowledge: knowledgeCount } =
      this.options.counts;
    this.total = groupCount + entityCount + connectionCount + eventCount + knowledgeCount;
    // Creation times rise through the insert order and end a day before `now`.
    this.clockStep = (799 * DAY_MS) / this.total;

    await this.seedGroups(groupCount);
    await this.seedEntities(entityCount, groupCount);
    await this.seedConnections(connectionCount);
    await this.seedEvents(eventCount);
    await this.seedKnowledge(knowledgeCount);

    const { defects, tables } = this.summary;
    defects.crossGroupReferences = defects.crossGroupConnections + defects.crossGroupEvents;
    defects.invalidMetadata = defects.invalidValidity + defects.invalidPaymentMetadata;
    const missing = defects.missingGroupIds;
    missing.total = missing.entities + missing.connections + missing.events + missing.knowledge;
    this.summary.records = tables.entities + tables.connections + tables.events + tables.knowledge;
    return this.summary;
  }

  // ---- writing --------------------------------------------------------------------------------------------

  private nextCreationTime(): number {
    this.clock += this.clockStep * (0.5 + this.random.next());
    return Math.round(this.clock * 1000) / 1000;
  }

  private newId(table: OntologyTable): string {
    return newConvexId(this.tableNumbers[table], this.randomBytes);
  }

  /** Adds one document to the current batch; returns true when the batch is full (the caller then flushes). */
  private write(table: OntologyTable, id: string, creationTime: number, fields: Record<string, ConvexValue>): boolean {
    const doc = { _id: id, _creationTime: creationTime, ...fields };
    const batch = (this.batch ??= {
      table,
      physical: physicalTable(table, this.naming),
      documents: { ids: [], creationTimes: [], texts: [], fields: [] },
    });
    const { documents } = batch;
    documents.ids.push(id);
    documents.creationTimes.push(creationTime);
    documents.texts.push(stringifyUniform(doc));
    documents.fields.push(doc);
    this.summary.tables[table]++;
    return documents.ids.length >= BATCH_SIZE;
  }

  /** Hands the current batch to the sink. */
  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = null;
    if (batch && batch.documents.ids.length > 0) await this.emit(batch);
  }

  private words(count: number): string {
    const out: string[] = [];
    for (let index = 0; index < count; index++) out.push(this.random.pick(WORDS));
    return out.join(' ');
  }

  private title(): string {
    const text = this.words(2 + this.random.int(4));
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  /** A missing-groupId variant: absent (most), null, or empty. */
  private withoutGroupId(fields: Record<string, ConvexValue>): void {
    if (this.naming.generation === 'legacy') return;
    const roll = this.random.next();
    if (roll < 0.1) fields.groupId = null;
    else if (roll < 0.2) fields.groupId = '';
  }

  private missingGroupIdKinds(table: 'entities' | 'connections' | 'events' | 'knowledge', size: number, from = 0): Uint8Array {
    const count = plantedCount(this.rates.missingGroupId[table], size);
    return this.random.plant(size, [count], from).kinds;
  }

  private pickGroup(): number {
    const weights = this.groupCumulativeWeights;
    const target = this.random.next() * weights[weights.length - 1]!;
    let low = 0;
    let high = weights.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (weights[middle]! > target) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /** A random entity of the given group other than `except`. */
  private memberOf(group: number, except = -1): number {
    const members = this.membersByGroup[group]!;
    for (;;) {
      const member = members[this.random.int(members.length)]!;
      if (member !== except) return member;
    }
  }

  /** Two entities carrying groupIds of two different groups. */
  private crossGroupPair(): [number, number] {
    const groups = this.groupIds.length;
    const first = this.random.int(groups);
    const second = (first + 1 + this.random.int(groups - 1)) % groups;
    const pick = (group: number) => {
      const members = this.groupedMembersByGroup[group]!;
      return members[this.random.int(members.length)]!;
    };
    return [pick(first), pick(second)];
  }

  /** An id that names no entity: a deleted entity's id, or (sometimes) the id of a group. */
  private missingEntityId(): string {
    if (this.random.chance(0.2)) return this.random.pick(this.groupIds);
    return this.newId('entities');
  }

  // ---- tables ---------------------------------------------------------------------------------------------

  private async seedGroups(count: number): Promise<void> {
    const weights = new Float64Array(count);
    let cumulative = 0;
    for (let group = 0; group < count; group++) {
      const id = this.newId('groups');
      const creationTime = this.nextCreationTime();
      const createdAt = Math.floor(creationTime);
      const fields: Record<string, ConvexValue> = {
        slug: `group-${String(group + 1).padStart(4, '0')}`,
        name: `${this.title()} ${group + 1}`,
        type: this.random.pick(['organization', 'business', 'community', 'dao']),
      };
      if (group >= 3 && this.random.chance(0.3)) fields.parentGroupId = this.groupIds[this.random.int(group)]!;
      if (this.random.chance(0.6)) fields.description = this.words(8);
      fields.metadata = { region: this.random.pick(['eu', 'us', 'apac']), tier: this.random.int(4) + 1 };
      fields.settings = {
        visibility: this.random.pick(['public', 'private']),
        joinPolicy: this.random.pick(['open', 'invite_only', 'approval_required']),
        plan: this.random.pick(['starter', 'pro', 'enterprise']),
      };
      fields.status = 'active';
      fields.createdAt = createdAt;
      fields.updatedAt = createdAt + this.random.int(30 * DAY_MS);
      this.groupIds.push(id);
      // Skewed group sizes: a few large tenants, many small ones.
      cumulative += 1 / (group + 1) ** 0.7;
      weights[group] = cumulative;
      if (this.write('groups', id, creationTime, fields)) await this.flush();
    }
    await this.flush();
    this.groupCumulativeWeights = weights;
  }

  private entityType(): string {
    const roll = this.random.next() * this.entityTypeCumulative[this.entityTypeCumulative.length - 1]!;
    const index = this.entityTypeCumulative.findIndex((bound) => roll < bound);
    return TYPE_WEIGHTS[index === -1 ? TYPE_WEIGHTS.length - 1 : index]![0];
  }

  private validProperties(type: string): Record<string, ConvexValue> {
    switch (type) {
      case 'creator':
        return {
          role: this.random.pick(['author', 'instructor', 'designer', 'developer', 'host']),
          bio: this.words(6),
          followers: this.random.int(50_000),
        };
      case 'organization':
        return { plan: this.random.pick(['starter', 'pro', 'enterprise']), seats: this.random.int(500) + 1, domain: `${this.words(1)}.example` };
      case 'blog_post':
        return {
          title: this.title(),
          content: this.words(15 + this.random.int(25)),
          tags: [this.random.pick(WORDS), this.random.pick(WORDS)],
          readingMinutes: 1 + this.random.int(15),
        };
      case 'course':
        return {
          title: this.title(),
          description: this.words(12),
          level: this.random.pick(['beginner', 'intermediate', 'advanced']),
          durationHours: Math.round(this.random.next() * 400) / 10,
        };
      case 'product': {
        const free = this.random.chance(0.03);
        return {
          price: free ? 0 : Math.round(this.random.next() * 50_000) / 100 + 0.01,
          currency: this.random.pick(CURRENCIES),
          sku: `SKU-${this.random.int(1_000_000)}`,
          inventory: this.random.int(1000),
        };
      }
      case 'agent':
        return { model: this.random.pick(['claude', 'gpt', 'llama']), capabilities: [this.random.pick(WORDS)], autonomous: this.random.chance(0.5) };
      default:
        return { title: this.title(), order: this.random.int(40) + 1, durationMinutes: 5 + this.random.int(55) };
    }
  }

  /** Properties that break the rule of `type` (or a value that is not an object at all). */
  private malformedProperties(type: RuledType): ConvexValue {
    const valid = this.validProperties(type);
    const variant = this.random.int(4);
    switch (type) {
      case 'creator':
        if (variant === 0) return null;
        delete valid.role;
        if (variant === 1) valid.role = '   ';
        if (variant === 2) valid.role = 42;
        return valid;
      case 'organization':
        if (variant === 0) return 'enterprise';
        if (variant === 1) valid.plan = '';
        else if (variant === 2) valid.plan = 3;
        else delete valid.plan;
        return valid;
      case 'blog_post':
        if (variant === 0) valid.content = '';
        else if (variant === 1) delete valid.title;
        else if (variant === 2) valid.title = ['not', 'a', 'string'];
        else return [];
        return valid;
      case 'course':
        if (variant === 0) delete valid.description;
        else if (variant === 1) valid.title = '';
        else if (variant === 2) valid.description = 12;
        else valid.title = null;
        return valid;
      case 'product':
        if (variant === 0) valid.price = -5;
        else if (variant === 1) valid.price = Number.NaN;
        else if (variant === 2) valid.currency = this.random.pick(['usd', 'EURO', 'U$D', '']);
        else valid.price = '19.99';
        return valid;
    }
  }

  private async seedEntities(count: number, groupCount: number): Promise<void> {
    const anchors = 2 * groupCount;
    // At least one malformed entity of every ruled type.
    const malformedCount = Math.max(RULED_TYPES.length, plantedCount(this.rates.malformed, count));
    const malformed = this.random.plant(count, [malformedCount]).kinds;
    const missingGroupId = this.missingGroupIdKinds('entities', count, anchors);
    const withoutVersion = this.random.plant(count, [plantedCount(this.rates.withoutSchemaVersion, count)]).kinds;
    this.entityGroup = new Int32Array(count);
    this.membersByGroup = Array.from({ length: groupCount }, () => []);
    this.groupedMembersByGroup = Array.from({ length: groupCount }, () => []);
    const { defects, facts } = this.summary;
    for (let index = 0; index < count; index++) {
      // Two anchors per group, always with a groupId, so every group has members to connect.
      const group = index < anchors ? index % groupCount : this.pickGroup();
      const id = this.newId('entities');
      const creationTime = this.nextCreationTime();
      const createdAt = Math.floor(creationTime);
      const fields: Record<string, ConvexValue> = {};
      const hasGroupId = missingGroupId[index] === 0;
      if (hasGroupId) fields.groupId = this.groupIds[group]!;
      else {
        this.withoutGroupId(fields);
        defects.missingGroupIds.entities++;
      }
      let type: string;
      let properties: ConvexValue;
      if (malformed[index] !== 0) {
        type = RULED_TYPES[defects.malformedProperties % RULED_TYPES.length]!;
        properties = this.malformedProperties(type as RuledType);
        defects.malformedProperties++;
        defects.malformedByType[type] = (defects.malformedByType[type] ?? 0) + 1;
      } else {
        type = this.entityType();
        properties = this.validProperties(type);
      }
      fields.type = type;
      fields.name = this.title();
      fields.properties = properties;
      fields.status = this.random.pick(['active', 'active', 'active', 'draft', 'published', 'archived']);
      if (withoutVersion[index] === 0) {
        fields.schemaVersion = 1;
        facts.v1Entities++;
      } else {
        if (this.naming.generation === 'current' && this.random.chance(0.3)) fields.schemaVersion = 0;
        defects.entitiesWithoutSchemaVersion++;
      }
      fields.createdAt = createdAt;
      fields.updatedAt = createdAt + this.random.int(90 * DAY_MS);
      this.entityIds.push(id);
      this.entityGroup[index] = group;
      this.membersByGroup[group]!.push(index);
      if (hasGroupId) this.groupedMembersByGroup[group]!.push(index);
      if (this.write('entities', id, creationTime, fields)) await this.flush();
    }
    await this.flush();
  }

  private async seedConnections(count: number): Promise<void> {
    const ORPHANED = 1;
    const CROSS_GROUP = 2;
    const INVALID_VALIDITY = 3;
    const kinds = this.random.plant(count, [
      plantedCount(this.rates.orphanedConnections, count),
      plantedCount(this.rates.crossGroupConnections, count),
      plantedCount(this.rates.invalidValidity, count),
    ]).kinds;
    const missingGroupId = this.missingGroupIdKinds('connections', count);
    const { defects } = this.summary;
    const { fromField, toField } = this.naming;
    for (let index = 0; index < count; index++) {
      const id = this.newId('connections');
      const creationTime = this.nextCreationTime();
      const createdAt = Math.floor(creationTime);
      let fromId: string;
      let toId: string;
      let group: number;
      const kind = kinds[index];
      if (kind === CROSS_GROUP) {
        const [from, to] = this.crossGroupPair();
        fromId = this.entityIds[from]!;
        toId = this.entityIds[to]!;
        group = this.entityGroup[from]!;
        defects.crossGroupConnections++;
      } else {
        group = this.pickGroup();
        const from = this.memberOf(group);
        fromId = this.entityIds[from]!;
        toId = this.entityIds[this.memberOf(group, from)]!;
        if (kind === ORPHANED) {
          const side = this.random.int(5);
          if (side <= 1) fromId = this.missingEntityId();
          if (side >= 1) toId = this.missingEntityId();
          defects.orphanedConnections++;
        }
      }
      const fields: Record<string, ConvexValue> = {};
      if (missingGroupId[index] === 0) fields.groupId = this.groupIds[group]!;
      else {
        this.withoutGroupId(fields);
        defects.missingGroupIds.connections++;
      }
      fields[fromField] = fromId;
      fields[toField] = toId;
      fields.relationshipType = this.random.pick(RELATIONSHIP_TYPES);
      if (this.random.chance(0.3)) fields.metadata = { source: this.random.pick(['import', 'ui', 'api']), weight: this.random.int(10) };
      if (this.random.chance(0.5)) fields.strength = Math.round(this.random.next() * 1000) / 1000;
      if (kind === INVALID_VALIDITY) {
        const validFrom = this.now - this.random.int(500) * DAY_MS;
        fields.validFrom = validFrom;
        fields.validTo = validFrom - (1 + this.random.int(100)) * DAY_MS;
        defects.invalidValidity++;
      } else {
        const roll = this.random.next();
        const validFrom = this.now - this.random.int(700) * DAY_MS;
        if (roll < 0.1) fields.validFrom = validFrom;
        else if (roll < 0.2) {
          fields.validFrom = validFrom;
          // Equal bounds are a valid (one-instant) window.
          fields.validTo = this.random.chance(0.1) ? validFrom : validFrom + (1 + this.random.int(365)) * DAY_MS;
        } else if (roll < 0.22) fields.validTo = validFrom;
      }
      fields.createdAt = createdAt;
      fields.updatedAt = createdAt + this.random.int(30 * DAY_MS);
      if (this.write('connections', id, creationTime, fields)) await this.flush();
    }
    await this.flush();
  }

  private validPaymentMetadata(): Record<string, ConvexValue> {
    // A tenth of the amounts are int64 minor units: still numeric, and they exercise the int64 encoding.
    const amount: ConvexValue = this.random.chance(0.1)
      ? BigInt(100 + this.random.int(100_000))
      : Math.round(this.random.next() * 100_000) / 100 + 0.01;
    return {
      protocol: this.random.pick(PROTOCOLS),
      status: this.random.pick(PAYMENT_STATUSES),
      amount,
      currency: this.random.pick(CURRENCIES),
      transactionId: `tx_${this.random.int(1_000_000_000).toString(36)}`,
    };
  }

  /** Payment metadata with one thing wrong, or no usable metadata at all (`undefined`: field absent). */
  private invalidPaymentMetadata(): ConvexValue | undefined {
    const metadata = this.validPaymentMetadata();
    switch (this.random.int(7)) {
      case 0:
        return undefined;
      case 1:
        return null;
      case 2:
        metadata.protocol = 'paypal';
        return metadata;
      case 3:
        delete metadata.status;
        return metadata;
      case 4:
        metadata.status = 'pending';
        return metadata;
      case 5:
        metadata.amount = '10.00';
        return metadata;
      default:
        delete metadata.amount;
        return metadata;
    }
  }

  private async seedEvents(count: number): Promise<void> {
    const CROSS_GROUP = 1;
    const BAD_PAYMENT = 2;
    const kinds = this.random.plant(count, [
      plantedCount(this.rates.crossGroupEvents, count),
      plantedCount(this.rates.invalidPayment, count),
    ]).kinds;
    const missingGroupId = this.missingGroupIdKinds('events', count);
    const yearAgo = this.now - YEAR_MS;
    const { defects, facts } = this.summary;
    for (let index = 0; index < count; index++) {
      const id = this.newId('events');
      const creationTime = this.nextCreationTime();
      const kind = kinds[index];
      let group: number;
      let actorId: string;
      let targetId: string | undefined;
      if (kind === CROSS_GROUP) {
        const [actor, target] = this.crossGroupPair();
        group = this.entityGroup[actor]!;
        actorId = this.entityIds[actor]!;
        targetId = this.entityIds[target]!;
        defects.crossGroupEvents++;
      } else {
        group = this.pickGroup();
        const actor = this.memberOf(group);
        actorId = this.entityIds[actor]!;
        if (this.random.chance(0.7)) targetId = this.entityIds[this.memberOf(group, actor)]!;
      }
      const fields: Record<string, ConvexValue> = {};
      if (missingGroupId[index] === 0) fields.groupId = this.groupIds[group]!;
      else {
        this.withoutGroupId(fields);
        defects.missingGroupIds.events++;
      }
      const isPayment = kind === BAD_PAYMENT || (kind !== CROSS_GROUP && this.random.chance(0.1));
      fields.type = isPayment ? 'payment_event' : this.random.pick(EVENT_TYPES);
      fields.actorId = actorId;
      if (targetId !== undefined) fields.targetId = targetId;
      const timestamp = Math.floor(this.now - this.random.next() * 730 * DAY_MS);
      fields.timestamp = timestamp;
      if (isPayment) {
        facts.paymentEvents++;
        if (kind === BAD_PAYMENT) {
          const metadata = this.invalidPaymentMetadata();
          if (metadata !== undefined) fields.metadata = metadata;
          defects.invalidPaymentMetadata++;
        } else fields.metadata = this.validPaymentMetadata();
      } else if (this.random.chance(0.4)) {
        fields.metadata = { channel: this.random.pick(['web', 'mobile', 'api']), durationMs: this.random.int(5000) };
      }
      const old = timestamp < yearAgo;
      if (old) facts.eventsOlderThanYear++;
      if (old && this.random.chance(this.rates.oldEventsArchived)) {
        fields.archived = true;
        facts.archivedEventsOlderThanYear++;
      } else if (this.naming.generation === 'current' && this.random.chance(0.5)) {
        fields.archived = false;
      }
      if (this.write('events', id, creationTime, fields)) await this.flush();
    }
    await this.flush();
  }

  private async seedKnowledge(count: number): Promise<void> {
    const ORPHANED = 1;
    const kinds = this.random.plant(count, [plantedCount(this.rates.orphanedKnowledge, count)]).kinds;
    const missingGroupId = this.missingGroupIdKinds('knowledge', count);
    const { defects, facts } = this.summary;
    for (let index = 0; index < count; index++) {
      const id = this.newId('knowledge');
      const creationTime = this.nextCreationTime();
      const createdAt = Math.floor(creationTime);
      const group = this.pickGroup();
      let sourceId: string | undefined;
      if (kinds[index] === ORPHANED) {
        sourceId = this.missingEntityId();
        defects.orphanedKnowledge++;
      } else if (this.random.chance(0.85)) {
        sourceId = this.entityIds[this.memberOf(group)]!;
      }
      const fields: Record<string, ConvexValue> = {};
      if (missingGroupId[index] === 0) fields.groupId = this.groupIds[group]!;
      else {
        this.withoutGroupId(fields);
        defects.missingGroupIds.knowledge++;
      }
      const knowledgeType = this.random.pick(KNOWLEDGE_TYPES);
      fields.knowledgeType = knowledgeType;
      if (knowledgeType !== 'vector_only') fields.text = this.words(knowledgeType === 'label' ? 1 : 12);
      if (knowledgeType !== 'label' && this.random.chance(0.2)) {
        fields.embedding = Array.from({ length: 8 }, () => Math.round((this.random.next() * 2 - 1) * 1e6) / 1e6);
        fields.embeddingModel = 'text-embedding-3-small';
        fields.embeddingDim = 8;
      }
      if (sourceId !== undefined) {
        fields.sourceThingId = sourceId;
        fields.sourceField = this.random.pick(['content', 'description', 'title']);
        facts.knowledgeWithSource++;
      }
      if (knowledgeType === 'chunk') {
        const start = this.random.int(5000);
        fields.chunk = { index: this.random.int(20), start, end: start + 200 + this.random.int(800) };
      }
      if (this.random.chance(0.5)) fields.labels = [this.random.pick(WORDS), this.random.pick(WORDS)];
      fields.createdAt = createdAt;
      fields.updatedAt = createdAt + this.random.int(30 * DAY_MS);
      if (this.write('knowledge', id, creationTime, fields)) await this.flush();
    }
    await this.flush();
  }
}
