/**
 * The checks of a scope, judged document by document with the shared rules: what a Convex page function runs
 * over the documents of its page, and the reference the SQLite scan is tested against. Pure (plain V8 isolate).
 *
 * Usage: `const scan = new DocumentScan(scope, naming)`, then `scan.add(table, doc, lookupEntity)` for each
 * document in scan order, then `scan.result()`. Documents outside the scope's group or tables are skipped, so a
 * caller may feed whole pages.
 */
import { connectionEndpoints, groupIdOf, type Naming } from '../ontology/naming.js';
import {
  crossGroupConnectionIssue,
  crossGroupEventIssue,
  invalidPaymentMetadataIssue,
  invertedValidityIssue,
  malformedPropertiesIssue,
  missingGroupIdIssue,
  orphanedConnectionIssue,
  orphanedKnowledgeIssue,
  type IssueContext,
  type IssueRecord,
} from './issues.js';
import { byGroupId, scanTablesOf, type CheckScope, type ScanResult, type ScanTable } from './port.js';
import {
  classifyConnection,
  classifyEvent,
  eventReferences,
  isOlderThanArchivalAge,
  isOrphanedSource,
  knowledgeSource,
  type EntityLookup,
} from './record-rules.js';
import { isV1SchemaVersion, isValidityWindowInverted, malformedPropertyFields, PAYMENT_EVENT_TYPE, paymentMetadataProblems } from './rules.js';
import { createTally, emptyCounts, keepIssue, type QualityCounts, type QualityIssue, type Tally } from './tally.js';
import type { Category } from './categories.js';

/** The count fields that count issues, and the category of their issues. */
const CATEGORY_OF = {
  orphanedConnections: 'orphaned',
  orphanedKnowledge: 'orphaned',
  crossGroupConnections: 'crossGroup',
  crossGroupEvents: 'crossGroup',
  entitiesMissingGroupId: 'missingGroupId',
  connectionsMissingGroupId: 'missingGroupId',
  eventsMissingGroupId: 'missingGroupId',
  knowledgeMissingGroupId: 'missingGroupId',
  invalidMetadataConnections: 'invalidMetadata',
  invalidMetadataEvents: 'invalidMetadata',
  malformedProperties: 'malformedProperties',
} as const satisfies Partial<Record<keyof QualityCounts, Category>>;
type IssueCountField = keyof typeof CATEGORY_OF;

/** Accumulates the checks of a scope over documents fed one at a time. */
export class DocumentScan {
  private readonly tally: Tally;
  private readonly groups: Map<string, QualityCounts> | null;
  private readonly selected: Set<Category>;
  private readonly tables: Set<ScanTable>;
  private readonly context: IssueContext;

  constructor(
    private readonly scope: CheckScope,
    naming: Naming,
  ) {
    this.tally = createTally(scope.issueLimit);
    this.groups = scope.perGroup ? new Map() : null;
    this.selected = new Set(scope.categories);
    this.tables = new Set(scanTablesOf(scope));
    this.context = { naming, v1MigrationCompleted: scope.v1MigrationCompleted };
  }

  /** Counts and judges one document of `table`; `lookupEntity` answers for the entities it references. */
  add(table: ScanTable, doc: Record<string, unknown> & { _id: string }, lookupEntity: EntityLookup): void {
    if (!this.tables.has(table)) return;
    const groupId = groupIdOf(doc);
    if (this.scope.groupId !== null && groupId !== this.scope.groupId) return;
    const record: IssueRecord = { table, id: doc._id, groupId };
    const metricCounts = this.scope.metricCounts !== false;
    const missing = this.selected.has('missingGroupId') && groupId === null;
    switch (table) {
      case 'entities': {
        this.bump('entities', groupId);
        if (metricCounts && isV1SchemaVersion(doc.schemaVersion)) this.bump('v1Entities', groupId);
        if (missing) this.flag('entitiesMissingGroupId', groupId, () => missingGroupIdIssue(record, this.context));
        if (this.selected.has('malformedProperties')) {
          const fields = malformedPropertyFields(doc.type, doc.properties);
          if (fields.length > 0) {
            this.flag('malformedProperties', groupId, () => malformedPropertiesIssue(record, doc.type as string, fields, this.context));
          }
        }
        return;
      }
      case 'connections': {
        this.bump('connections', groupId);
        if (missing) this.flag('connectionsMissingGroupId', groupId, () => missingGroupIdIssue(record, this.context));
        if (this.selected.has('orphaned') || this.selected.has('crossGroup')) {
          const endpoints = connectionEndpoints(doc);
          const verdict = classifyConnection(endpoints, lookupEntity);
          if (verdict.kind === 'orphaned' && this.selected.has('orphaned')) {
            this.flag('orphanedConnections', groupId, () => orphanedConnectionIssue(record, endpoints, verdict.missing, this.context));
          } else if (verdict.kind === 'crossGroup' && this.selected.has('crossGroup')) {
            this.flag('crossGroupConnections', groupId, () => crossGroupConnectionIssue(record, endpoints, verdict, this.context));
          }
        }
        if (this.selected.has('invalidMetadata') && isValidityWindowInverted(doc.validFrom, doc.validTo)) {
          this.flag('invalidMetadataConnections', groupId, () => invertedValidityIssue(record, this.context));
        }
        return;
      }
      case 'events': {
        this.bump('events', groupId);
        if (metricCounts && isOlderThanArchivalAge(doc.timestamp, this.scope.now)) {
          this.bump('eventsOlderThanYear', groupId);
          if (doc.archived === true) this.bump('archivedEventsOlderThanYear', groupId);
        }
        if (missing) this.flag('eventsMissingGroupId', groupId, () => missingGroupIdIssue(record, this.context));
        if (this.selected.has('crossGroup')) {
          const references = eventReferences(doc);
          const verdict = classifyEvent(references, lookupEntity);
          if (verdict.kind === 'crossGroup') this.flag('crossGroupEvents', groupId, () => crossGroupEventIssue(record, references, verdict, this.context));
        }
        if (this.selected.has('invalidMetadata') && doc.type === PAYMENT_EVENT_TYPE) {
          const problems = paymentMetadataProblems(doc.metadata);
          if (problems.length > 0) this.flag('invalidMetadataEvents', groupId, () => invalidPaymentMetadataIssue(record, problems, this.context));
        }
        return;
      }
      case 'knowledge': {
        this.bump('knowledge', groupId);
        if (missing) this.flag('knowledgeMissingGroupId', groupId, () => missingGroupIdIssue(record, this.context));
        const source = knowledgeSource(doc);
        if (source !== null) {
          this.bump('knowledgeWithSource', groupId);
          if (this.selected.has('orphaned') && isOrphanedSource(source, lookupEntity)) {
            this.flag('orphanedKnowledge', groupId, () => orphanedKnowledgeIssue(record, source, this.context));
          }
        }
        return;
      }
    }
  }

  /** The counts, kept issues and (with `perGroup`) per-group counts of the documents added so far. */
  result(): ScanResult {
    return this.groups === null ? { tally: this.tally } : { tally: this.tally, groups: [...this.groups].map(([groupId, counts]) => ({ groupId, counts })).sort(byGroupId) };
  }

  private bump(field: keyof QualityCounts, groupId: string | null): void {
    this.tally.counts[field]++;
    if (this.groups === null || groupId === null) return;
    let counts = this.groups.get(groupId);
    if (counts === undefined) this.groups.set(groupId, (counts = emptyCounts()));
    counts[field]++;
  }

  /** Counts an issue; builds it only when its category still has room. */
  private flag(field: IssueCountField, groupId: string | null, build: () => QualityIssue): void {
    this.bump(field, groupId);
    if (this.tally.issues[CATEGORY_OF[field]].length < this.tally.issueLimit) keepIssue(this.tally, build());
  }
}
