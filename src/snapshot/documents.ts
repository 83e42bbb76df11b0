/**
 * One line of a snapshot's `documents.jsonl`: validation and the values the store needs (id, creation time,
 * the fields the indexed columns come from, the uniform JSON text to keep).
 *
 * Fast path for the uniform encoding: `JSON.parse` is enough to validate a line and compute its columns (the
 * columns only need strings, plain numbers and booleans), and the line itself is already uniform text, so it
 * is kept as-is. A legacy line is re-encoded to uniform; without special values its plain numbers are all
 * float64, which is what `JSON.parse` gives. Lines holding a `"$` (special values, or field names the decoder
 * must refuse) and uniform lines whose `_creationTime` literal cannot be located go through the full decoder.
 */
import { InvalidSnapshotError } from '../errors.js';
import { tableNumberOfId } from '../ontology/ids.js';
import { logicalTable, type Naming, type OntologyTable } from '../ontology/naming.js';
import { parseDocument, stringifyUniform, ValueEncodingError, type ConvexValue, type ValueEncoding } from '../ontology/values.js';

/** A line that is not a valid document; the message says what is wrong (the caller adds `file:line:`). */
export class SnapshotLineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotLineError';
  }
}

/** A validated document line. */
export interface DecodedLine {
  id: string;
  creationTime: number;
  /** The document's fields (plain JSON values or decoded Convex values): input of `indexedColumns`. */
  fields: Record<string, unknown>;
  /** The document in the uniform encoding. */
  text: string;
}

type FieldKind = 'string' | 'number' | 'boolean';

/** Types of the fields the indexed columns are computed from; absent or null is always allowed. */
const KEY_FIELDS: Record<OntologyTable, readonly [string, FieldKind][]> = {
  groups: [['slug', 'string']],
  entities: [
    ['groupId', 'string'],
    ['type', 'string'],
    ['schemaVersion', 'number'],
  ],
  connections: [
    ['groupId', 'string'],
    ['fromEntityId', 'string'],
    ['toEntityId', 'string'],
    ['fromThingId', 'string'],
    ['toThingId', 'string'],
    ['validFrom', 'number'],
    ['validTo', 'number'],
  ],
  events: [
    ['groupId', 'string'],
    ['type', 'string'],
    ['actorId', 'string'],
    ['targetId', 'string'],
    ['timestamp', 'number'],
    ['archived', 'boolean'],
  ],
  knowledge: [
    ['groupId', 'string'],
    ['sourceThingId', 'string'],
  ],
};

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof ArrayBuffer) return 'bytes';
  if (typeof value === 'bigint') return 'int64';
  return typeof value;
}

function checkKeyFields(table: OntologyTable, fields: Record<string, unknown>): void {
  for (const [name, kind] of KEY_FIELDS[table]) {
    const value = fields[name];
    if (value === undefined || value === null) continue;
    const ok = kind === 'number' ? typeof value === 'number' || typeof value === 'bigint' : typeof value === kind;
    if (!ok) throw new SnapshotLineError(`field ${name} must be a ${kind} (got ${kindOf(value)})`);
  }
}

/** Checks that `_id` is a Convex id; returns it and the table number it carries. */
function checkId(id: unknown): [string, number] {
  if (typeof id !== 'string' || id.length === 0) throw new SnapshotLineError('_id must be a non-empty string');
  const number = tableNumberOfId(id);
  if (number === undefined) throw new SnapshotLineError(`_id ${JSON.stringify(id.slice(0, 64))} is not a valid Convex document id`);
  return [id, number];
}

/** An id of another table (a connection id among the entities) would make every reference to it ambiguous. */
function checkIdTable(id: string, number: number, tableNumber: number | undefined): void {
  if (tableNumber !== undefined && number !== tableNumber) {
    throw new SnapshotLineError(`_id ${id} belongs to table number ${number}, but this table is number ${tableNumber} in _tables/documents.jsonl`);
  }
}

// Matches a key followed by a number literal. Inside a JSON string every `"` is escaped, so `"_creationTime":`
// can only be a real field name, at the top level or in a nested object.
const CREATION_TIME_LITERAL = /"_creationTime"\s*:\s*(-?[0-9][0-9.eE+-]*)/g;

/** The `_creationTime` literal when the line holds exactly one such field (else undefined: use the decoder). */
function creationTimeLiteral(line: string): string | undefined {
  CREATION_TIME_LITERAL.lastIndex = 0;
  const first = CREATION_TIME_LITERAL.exec(line);
  if (!first) return undefined;
  if (CREATION_TIME_LITERAL.exec(line) !== null) return undefined;
  return first[1];
}

function parseObject(line: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new SnapshotLineError(`invalid JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new SnapshotLineError('a document must be a JSON object');
  return value as Record<string, unknown>;
}

function fastUniform(line: string, table: OntologyTable | null, tableNumber: number | undefined): DecodedLine | undefined {
  const fields = parseObject(line);
  const literal = creationTimeLiteral(line);
  if (literal === undefined) return undefined;
  const [id, number] = checkId(fields._id);
  const creationTime = fields._creationTime;
  if (typeof creationTime !== 'number' || !Number.isFinite(creationTime)) {
    throw new SnapshotLineError('_creationTime must be a finite float64 number');
  }
  // In the uniform encoding a bare integer is an int64, which `_creationTime` never is.
  if (!/[.eE]/.test(literal)) throw new SnapshotLineError('_creationTime must be a float64 (got the int64 literal ' + literal + ')');
  if (table) checkKeyFields(table, fields);
  checkIdTable(id, number, tableNumber);
  return { id, creationTime, fields, text: line };
}

/** A legacy line without special values: every number is a float64, exactly what `JSON.parse` returns. */
function fastLegacy(line: string, table: OntologyTable | null, tableNumber: number | undefined): DecodedLine {
  const fields = parseObject(line);
  const [id, number] = checkId(fields._id);
  const creationTime = fields._creationTime;
  if (typeof creationTime !== 'number' || !Number.isFinite(creationTime)) {
    throw new SnapshotLineError('_creationTime must be a finite float64 number');
  }
  if (table) checkKeyFields(table, fields);
  checkIdTable(id, number, tableNumber);
  return { id, creationTime, fields, text: stringifyUniform(fields as ConvexValue) };
}

function fullDecode(line: string, encoding: ValueEncoding, table: OntologyTable | null, tableNumber: number | undefined): DecodedLine {
  let document;
  try {
    document = parseDocument(line, encoding);
  } catch (error) {
    if (error instanceof ValueEncodingError) {
      if (error.path === '_id') throw new SnapshotLineError('_id must be a non-empty string');
      if (error.path === '_creationTime') throw new SnapshotLineError('_creationTime must be a finite float64 number');
      throw new SnapshotLineError(error.message);
    }
    throw new SnapshotLineError(`invalid JSON (${(error as Error).message})`);
  }
  const [id, number] = checkId(document._id);
  if (table) checkKeyFields(table, document);
  checkIdTable(id, number, tableNumber);
  return {
    id,
    creationTime: document._creationTime,
    fields: document,
    text: encoding === 'uniform' ? line : stringifyUniform(document),
  };
}

/**
 * Validates one non-blank line of a table's `documents.jsonl` and returns what the store keeps. `table` is the
 * logical ontology table whose key fields are type-checked, or null for a table kept whole. `tableNumber`, when
 * known, is the table's number from `_tables`: an `_id` of another table is refused.
 */
export function decodeSnapshotLine(line: string, encoding: ValueEncoding, table: OntologyTable | null, tableNumber?: number): DecodedLine {
  if (!line.includes('"$')) {
    if (encoding === 'legacy') return fastLegacy(line, table, tableNumber);
    const fast = fastUniform(line, table, tableNumber);
    if (fast) return fast;
  }
  return fullDecode(line, encoding, table, tableNumber);
}

/** What is wrong with a line whose `_id` an earlier line of the snapshot already has. */
export function duplicateIdMessage(id: string): string {
  return `duplicate _id ${id} (an earlier line has it)`;
}

/**
 * `decodeSnapshotLine` for line `lineNumber` of `file` (`<table>/documents.jsonl`): a bad line is an
 * `InvalidSnapshotError` that starts with `file:line:`.
 */
export function decodeSnapshotLineAt(
  file: string,
  lineNumber: number,
  line: string,
  encoding: ValueEncoding,
  table: OntologyTable | null,
  tableNumber?: number,
): DecodedLine {
  try {
    return decodeSnapshotLine(line, encoding, table, tableNumber);
  } catch (error) {
    if (error instanceof SnapshotLineError) throw new InvalidSnapshotError(`${file}:${lineNumber}: ${error.message}`);
    throw error;
  }
}

/**
 * The logical ontology table a snapshot table is loaded into under a naming, or null for a table kept whole
 * in `other_documents` (including `things` in a current-naming snapshot, which is not the entities table).
 */
export function ontologyTableOf(physicalName: string, naming: Naming): OntologyTable | null {
  if (physicalName === 'entities' || physicalName === 'things') return physicalName === naming.entitiesTable ? 'entities' : null;
  return logicalTable(physicalName) ?? null;
}
