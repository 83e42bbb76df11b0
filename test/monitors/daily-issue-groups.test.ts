import { describe, expect, it } from 'vitest';
import { issueGroupsOf } from '../../monitors/jobs/daily.ts';
import type { QualityIssue } from '../../src/quality/tally.ts';
import type { DocumentStore } from '../../src/store/port.ts';
import { tempStore } from '../helpers/temp-store.ts';

const NOW = Date.parse('2026-11-27T02:00:00Z');

/** The store's documents, counting `get` calls (each one a round trip on a remote store). */
function countingDocuments(store: DocumentStore): { documents: DocumentStore; gets: () => number } {
  let gets = 0;
  const documents = Object.create(store) as DocumentStore;
  documents.get = (table, id) => {
    gets++;
    return store.get(table, id);
  };
  return { documents, gets: () => gets };
}

function issue(recordId: string, table: string, groupId?: string | null): QualityIssue & { groupId?: string | null } {
  return {
    category: 'crossGroup',
    severity: 'critical',
    table,
    recordId,
    description: `connection ${recordId} joins two groups`,
    metadata: {},
    ...(groupId !== undefined ? { groupId } : {}),
  };
}

describe('the daily job: the group of each issue', () => {
  it('takes the groupId each issue carries and reads no record', async () => {
    const { store } = tempStore();
    const { documents, gets } = countingDocuments(store);
    const issues = Array.from({ length: 500 }, (_, index) => issue(`conn_${index}`, 'connections', index % 3 === 0 ? null : `grp_${index % 7}`));
    const groups = await issueGroupsOf({ documents }, issues);
    expect(gets()).toBe(0);
    expect(groups.size).toBe(500);
    expect(groups.get('conn_0')).toBeNull();
    expect(groups.get('conn_1')).toBe('grp_1');
  });

  it("looks up, a chunk at a time, only the records of issues that do not say their group", async () => {
    const { store } = tempStore();
    const group = await store.insert('groups', { slug: 'acme', name: 'Acme', type: 'organization', metadata: {}, settings: {}, status: 'active', createdAt: NOW, updatedAt: NOW });
    const owned = await store.insert('knowledge', { groupId: group._id, knowledgeType: 'label', text: 'x', labels: [], metadata: {}, createdAt: NOW, updatedAt: NOW });
    const { documents, gets } = countingDocuments(store);
    const groups = await issueGroupsOf({ documents }, [
      issue('conn_a', 'connections', 'grp_a'),
      issue(owned._id, 'knowledge'),
      issue(owned._id, 'knowledge'), // the same record twice is looked up once
      issue('gone', 'knowledge'),
      issue('x1', 'notAnOntologyTable'),
    ]);
    expect(gets()).toBe(2);
    expect([...groups]).toEqual([
      ['conn_a', 'grp_a'],
      [owned._id, group._id],
      ['gone', null],
    ]);
  });
});
