/**
 * The checks of a scope computed document by document with the shared pure rules (`DocumentScan`), reading the
 * store only through `DocumentStore.page`: what a Convex adapter computes page by page, here in one pass. The
 * reference every check port adapter is held to.
 */
import { groupIdOf, type OntologyTable } from '../../src/ontology/naming.ts';
import type { ConvexDocument } from '../../src/ontology/values.ts';
import { DocumentScan } from '../../src/quality/document-scan.ts';
import { SCAN_TABLES, type CheckScope, type ScanResult } from '../../src/quality/port.ts';
import type { ReferencedEntity } from '../../src/quality/record-rules.ts';
import type { DocumentStore } from '../../src/store/port.ts';

/** Documents read per page: small and odd, so pages end at awkward places. */
const PAGE = 97;

/** Every document of a logical table, paged through the port in storage order. */
export async function readAllDocuments(documents: DocumentStore, table: OntologyTable): Promise<ConvexDocument[]> {
  const all: ConvexDocument[] = [];
  let cursor: string | null = null;
  do {
    const page = await documents.page(table, cursor, PAGE);
    all.push(...page.documents);
    cursor = page.continueCursor;
  } while (cursor !== null);
  return all;
}

/** The scan of `scope` by the pure rules over every document of the store. */
export async function referenceScan(documents: DocumentStore, scope: CheckScope): Promise<ScanResult> {
  const naming = await documents.naming();
  const entities = await readAllDocuments(documents, 'entities');
  const entityById = new Map<string, ReferencedEntity>(entities.map((entity) => [entity._id, { groupId: groupIdOf(entity) }]));
  const scan = new DocumentScan(scope, naming);
  for (const table of SCAN_TABLES) {
    const docs = table === 'entities' ? entities : await readAllDocuments(documents, table);
    for (const doc of docs) scan.add(table, doc, (id) => entityById.get(id) ?? null);
  }
  return scan.result();
}
