/** `ontology-ops seed`: fills the store with deterministic demo data holding a known number of every defect. */
import type { Command } from 'commander';
import { seedStore, MIN_SEED_ENTITIES, type SeedSummary } from '../../seed/seed.ts';
import { progressReporter } from '../../snapshot/progress-bar.ts';
import { NUMBER_LIMITS, parseWholeNumber, type CliContext } from '../context.ts';

/** Default number of entities (10,000 records in all). */
export const DEFAULT_SEED_ENTITIES = 2000;

interface SeedCommandOptions {
  entities?: string;
  legacy?: boolean;
  seed?: string;
  replace?: boolean;
}

/** Text shown without `--json`. */
export function renderSeedSummary(summary: SeedSummary, location: string): string {
  const { tables, defects } = summary;
  return [
    `Seeded ${location} (${summary.naming} naming, seed ${summary.seed}): ${summary.records} records.`,
    `  groups ${tables.groups}, entities ${tables.entities}, connections ${tables.connections}, events ${tables.events}, knowledge ${tables.knowledge}`,
    'Planted defects:',
    `  orphaned connections ${defects.orphanedConnections}, orphaned knowledge ${defects.orphanedKnowledge}`,
    `  cross-group connections ${defects.crossGroupConnections}, cross-group events ${defects.crossGroupEvents}`,
    `  missing groupId ${defects.missingGroupIds.total}, invalid metadata ${defects.invalidMetadata}, malformed properties ${defects.malformedProperties}`,
    `  entities without schemaVersion ${defects.entitiesWithoutSchemaVersion}`,
  ].join('\n');
}

/** Registers `seed`. */
export function register(program: Command, context: CliContext): void {
  program
    .command('seed')
    .description('Fill the store with deterministic demo data (with a small, known number of every defect).')
    .option('--entities <n>', `number of entities, ≥ ${MIN_SEED_ENTITIES} (connections 2.5×, events 1.25×, knowledge 0.25×)`, String(DEFAULT_SEED_ENTITIES))
    .option('--legacy', 'pre-v1 data: things/fromThingId/toThingId, most records without groupId or schemaVersion')
    .option('--seed <s>', 'random seed: the same seed gives the same data', '1')
    .option('--replace', 'replace the documents of a store that already holds data')
    .action(async (options: SeedCommandOptions) => {
      const entities = parseWholeNumber(options.entities ?? String(DEFAULT_SEED_ENTITIES), '--entities', MIN_SEED_ENTITIES, NUMBER_LIMITS.seedEntities);
      const seed = parseWholeNumber(options.seed ?? '1', '--seed', 0, NUMBER_LIMITS.seed);
      const now = context.now();
      await context.fillStore('seed', async (store, control) => {
        const progress = progressReporter(context.io, 'Seeding');
        try {
          const summary = await seedStore(store, {
            entities,
            seed,
            now,
            legacy: options.legacy === true,
            replace: options.replace === true,
            onProgress: progress.update,
            lease: control.lease,
            signal: control.signal,
          });
          progress.stop();
          context.print({ location: store.location, ...summary }, (result) => renderSeedSummary(result, result.location));
        } finally {
          progress.stop();
        }
      });
    });
}
