import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../src/quality/categories.ts';
import { seedStore } from '../../src/seed/seed.ts';
import { scanAll } from '../../src/quality/paging.ts';
import { SqliteCheckPort } from '../../src/store/sqlite/check-port.ts';
import { tempStore } from '../helpers/temp-store.ts';

const NOW = Date.UTC(2026, 10, 1);

// The seed counts its planted defects by the specification independently of the checks; the two must agree.
describe.each([false, true])('checks agree with the seed summary (legacy: %s)', (legacy) => {
  it('counts every planted defect and metric input', async () => {
    const { store } = tempStore();
    const summary = await seedStore(store, { entities: 2000, legacy, seed: 7, now: NOW });
    const { tally } = await scanAll(new SqliteCheckPort(store, { useWorker: false }), {
      categories: CATEGORIES,
      groupId: null,
      now: NOW,
      issueLimit: 0,
      v1MigrationCompleted: false,
    });
    const { defects, facts, tables } = summary;
    expect(tally.counts).toEqual({
      entities: tables.entities,
      connections: tables.connections,
      events: tables.events,
      knowledge: tables.knowledge,
      knowledgeWithSource: facts.knowledgeWithSource,
      orphanedConnections: defects.orphanedConnections,
      orphanedKnowledge: defects.orphanedKnowledge,
      crossGroupConnections: defects.crossGroupConnections,
      crossGroupEvents: defects.crossGroupEvents,
      entitiesMissingGroupId: defects.missingGroupIds.entities,
      connectionsMissingGroupId: defects.missingGroupIds.connections,
      eventsMissingGroupId: defects.missingGroupIds.events,
      knowledgeMissingGroupId: defects.missingGroupIds.knowledge,
      invalidMetadataConnections: defects.invalidValidity,
      invalidMetadataEvents: defects.invalidPaymentMetadata,
      malformedProperties: defects.malformedProperties,
      v1Entities: facts.v1Entities,
      eventsOlderThanYear: facts.eventsOlderThanYear,
      archivedEventsOlderThanYear: facts.archivedEventsOlderThanYear,
    });
  });
});
