/**
 * Logical ontology tables and their physical names in a deployment (`entities` is `things` on a pre-v1
 * deployment), read the way the SQLite adapter reads them: the `naming_generation` setting when set, else the
 * tables present.
 */
import { v, type Infer } from 'convex/values';
import type { GenericDatabaseReader } from 'convex/server';
import type { DataModel } from '../_generated/dataModel.js';
import type { ReadBudget } from './budget.js';

/** A logical ontology table, as the `DocumentStore` port names it. */
export const logicalTableValidator = v.union(
  v.literal('groups'),
  v.literal('entities'),
  v.literal('connections'),
  v.literal('events'),
  v.literal('knowledge'),
);
/** A logical ontology table. */
export type LogicalTable = Infer<typeof logicalTableValidator>;

/** A physical table holding ontology documents. */
export type OntologyPhysicalTable = 'groups' | 'entities' | 'things' | 'connections' | 'events' | 'knowledge';

/** Which generation of the ONE schema the deployment uses. */
export const namingValidator = v.union(v.literal('current'), v.literal('legacy'));
/** `current` or `legacy`. */
export type NamingValue = Infer<typeof namingValidator>;

/** The settings key of the naming generation (`META_KEYS.naming`). */
export const NAMING_KEY = 'naming_generation';
/** The settings key of the v1 migration's completion time (`META_KEYS.v1MigrationCompletedAt`). */
export const V1_COMPLETED_KEY = 'v1_migration_completed_at';

/** A setting's value, or null (one index range; counted in `budget` when given). */
export async function readMeta(db: GenericDatabaseReader<DataModel>, key: string, budget?: ReadBudget): Promise<string | null> {
  budget?.range();
  const row = await db
    .query('storeMeta')
    .withIndex('by_key', (q) => q.eq('key', key))
    .unique();
  budget?.read(row);
  return row?.value ?? null;
}

/**
 * The naming generation: the setting when present, else `legacy` when `things` has documents and `entities` has
 * none, else `current`. At most three index ranges and three documents (counted in `budget` when given).
 */
export async function readNaming(db: GenericDatabaseReader<DataModel>, budget?: ReadBudget): Promise<NamingValue> {
  const setting = await readMeta(db, NAMING_KEY, budget);
  if (setting === 'legacy' || setting === 'current') return setting;
  budget?.range();
  const things = await db.query('things').first();
  budget?.read(things);
  if (things === null) return 'current';
  budget?.range();
  const entity = await db.query('entities').first();
  budget?.read(entity);
  return entity === null ? 'legacy' : 'current';
}

/** The physical table of a logical one under a naming. */
export function physicalTableOf(table: LogicalTable, naming: NamingValue): OntologyPhysicalTable {
  return table === 'entities' && naming === 'legacy' ? 'things' : table;
}
