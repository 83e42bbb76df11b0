/**
 * The package entry `ontology-ops/convex/schema`: the bot's own tables, which a host app spreads into its
 * `defineSchema({...})` next to ONE's tables (the host's own, with the indexes `convex/schema.ts` lists).
 */
export { ontologyOpsTables } from '../convex/schema.js';
