import { describe, expect, it } from 'vitest';
import { encodeConvexId } from '../../src/ontology/ids.ts';
import { CURRENT_NAMING, LEGACY_NAMING, type OntologyTable } from '../../src/ontology/naming.ts';
import { parseDocument, stringifyUniform } from '../../src/ontology/values.ts';
import { decodeSnapshotLine, ontologyTableOf } from '../../src/snapshot/documents.ts';
import { indexedColumns } from '../../src/store/sqlite/schema.ts';

const ID = encodeConvexId(10003, new Uint8Array(16).fill(7));

describe('decodeSnapshotLine', () => {
  it.each([
    { table: 'connections', line: `{"_id":"${ID}","_creationTime":1.5,"fromEntityId":"a","toEntityId":"b","validFrom":10,"validTo":5.5}`, reason: 'plain line (JSON.parse path)' },
    { table: 'connections', line: `{"_id":"${ID}","_creationTime":1.5,"validFrom":{"$float":"AAAAAAAA+H8="}}`, reason: 'a special value (decoder path)' },
    { table: 'entities', line: `{"_id":"${ID}","_creationTime":1.5,"schemaVersion":{"$float":"AAAAAAAA8H8="}}`, reason: 'an infinite schemaVersion keeps its column value' },
    { table: 'events', line: `{"_id":"${ID}","_creationTime":2e3,"payload":{"_creationTime":5},"timestamp":9007199254740993}`, reason: 'a nested _creationTime (decoder path)' },
    { table: 'knowledge', line: `{ "_id" : "${ID}" , "_creationTime" : 1.25 , "sourceThingId" : "s" }`, reason: 'whitespace around tokens' },
    { table: 'groups', line: `{"_id":"${ID}","_creationTime":1.5,"slug":"$ price"}`, reason: 'a "$ inside a string value' },
  ])('gives the same id, creation time and columns as the full decoder ($reason)', ({ table, line }) => {
    const decoded = decodeSnapshotLine(line, 'uniform', table as OntologyTable);
    const reference = parseDocument(line, 'uniform');
    expect(decoded.id).toBe(reference._id);
    expect(decoded.creationTime).toBe(reference._creationTime);
    expect(indexedColumns(table as OntologyTable, decoded.fields)).toEqual(indexedColumns(table as OntologyTable, reference));
    expect(decoded.text).toBe(line);
  });

  it.each([
    { line: `{"_id":"${ID}","_creationTime":1600000000000,"n":3,"f":0.1,"neg":-0,"big":1e300,"list":[1,{"x":null}],"s":"x"}`, reason: 'plain numbers are float64 (JSON.parse path)' },
    { line: `{"_id":"${ID}","_creationTime":1.5,"i":{"$integer":"AwAAAAAAAAA="},"b":{"$bytes":"AQI="}}`, reason: 'special values (decoder path)' },
  ])('re-encodes a legacy line exactly as the full decoder would ($reason)', ({ line }) => {
    expect(decodeSnapshotLine(line, 'legacy', 'connections').text).toBe(stringifyUniform(parseDocument(line, 'legacy')));
  });

  it('re-encodes a legacy line to the uniform encoding', () => {
    const decoded = decodeSnapshotLine(`{"_id":"${ID}","_creationTime":1,"n":2,"i":{"$integer":"AgAAAAAAAAA="}}`, 'legacy', null);
    expect(decoded.text).toBe(`{"_id":"${ID}","_creationTime":1.0,"n":2.0,"i":2}`);
  });
});

describe('ontologyTableOf', () => {
  it.each([
    { name: 'entities', naming: CURRENT_NAMING, expected: 'entities', reason: 'current entities table' },
    { name: 'things', naming: LEGACY_NAMING, expected: 'entities', reason: 'legacy entities table' },
    { name: 'things', naming: CURRENT_NAMING, expected: null, reason: 'a things table next to entities is kept whole' },
    { name: 'connections', naming: LEGACY_NAMING, expected: 'connections', reason: 'shared names' },
    { name: 'thingKnowledge', naming: CURRENT_NAMING, expected: null, reason: 'tables outside the ontology are kept whole' },
  ])('$name → $expected ($reason)', ({ name, naming, expected }) => {
    expect(ontologyTableOf(name, naming)).toBe(expected);
  });
});
