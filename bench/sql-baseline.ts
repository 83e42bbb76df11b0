/**
 * The reference point the check engine is measured against: the same full check written as plain SQL joins
 * over the indexed columns (what a hand-written formulation looks like). Only counts; used by `npm run bench`
 * to print the engine's speed as a ratio of this one on the same machine and data.
 */
import Database from 'better-sqlite3';

/** Counts of the five categories as the SQL formulation computes them. */
export interface BaselineCounts {
  orphanedConnections: number;
  orphanedKnowledge: number;
  crossGroupConnections: number;
  crossGroupEvents: number;
  missingGroupIds: number;
  invalidMetadata: number;
  malformedProperties: number;
}

/** The queries, one per count (also run as a process of its own by `sql-baseline-process.mjs`). */
export const BASELINE_QUERIES: Record<keyof BaselineCounts, string> = {
  orphanedConnections: `
    SELECT COUNT(*) AS n FROM connections c
    LEFT JOIN entities f ON f.id = c.from_id
    LEFT JOIN entities t ON t.id = c.to_id
    WHERE f.id IS NULL OR t.id IS NULL`,
  orphanedKnowledge: `
    SELECT COUNT(*) AS n FROM knowledge k
    LEFT JOIN entities s ON s.id = k.source_id
    WHERE k.source_id IS NOT NULL AND s.id IS NULL`,
  crossGroupConnections: `
    SELECT COUNT(*) AS n FROM connections c
    JOIN entities f ON f.id = c.from_id
    JOIN entities t ON t.id = c.to_id
    WHERE f.group_id IS NOT NULL AND t.group_id IS NOT NULL AND f.group_id <> t.group_id`,
  crossGroupEvents: `
    SELECT COUNT(*) AS n FROM events e
    JOIN entities a ON a.id = e.actor_id
    JOIN entities t ON t.id = e.target_id
    WHERE a.group_id IS NOT NULL AND t.group_id IS NOT NULL AND a.group_id <> t.group_id`,
  missingGroupIds: `
    SELECT (SELECT COUNT(*) FROM entities WHERE group_id IS NULL)
         + (SELECT COUNT(*) FROM connections WHERE group_id IS NULL)
         + (SELECT COUNT(*) FROM events WHERE group_id IS NULL)
         + (SELECT COUNT(*) FROM knowledge WHERE group_id IS NULL) AS n`,
  invalidMetadata: `
    SELECT (SELECT COUNT(*) FROM connections WHERE valid_to < valid_from)
         + (SELECT COUNT(*) FROM events WHERE type = 'payment_event' AND (
              COALESCE(json_extract(doc, '$.metadata.protocol'), '') NOT IN ('x402', 'acp', 'ap2')
              OR COALESCE(json_extract(doc, '$.metadata.status'), '') NOT IN ('requested', 'verified', 'processed')
              OR COALESCE(json_type(doc, '$.metadata.amount'), '') NOT IN ('integer', 'real'))) AS n`,
  malformedProperties: `
    SELECT COUNT(*) AS n FROM entities WHERE
      (type = 'creator' AND (json_type(doc, '$.properties.role') IS NOT 'text'
                             OR trim(json_extract(doc, '$.properties.role')) = ''))
      OR (type = 'organization' AND (json_type(doc, '$.properties.plan') IS NOT 'text'
                                     OR json_extract(doc, '$.properties.plan') = ''))
      OR (type = 'blog_post' AND (json_type(doc, '$.properties.title') IS NOT 'text' OR json_extract(doc, '$.properties.title') = ''
                                  OR json_type(doc, '$.properties.content') IS NOT 'text' OR json_extract(doc, '$.properties.content') = ''))
      OR (type = 'course' AND (json_type(doc, '$.properties.title') IS NOT 'text' OR json_extract(doc, '$.properties.title') = ''
                               OR json_type(doc, '$.properties.description') IS NOT 'text' OR json_extract(doc, '$.properties.description') = ''))
      OR (type = 'product' AND (COALESCE(json_type(doc, '$.properties.price'), '') NOT IN ('integer', 'real')
                                OR json_extract(doc, '$.properties.price') < 0
                                OR json_type(doc, '$.properties.currency') IS NOT 'text'
                                OR json_extract(doc, '$.properties.currency') NOT GLOB '[A-Z][A-Z][A-Z]'))`,
};

/** Runs the SQL formulation of the full check on a database file. */
export function runSqlBaseline(path: string): BaselineCounts {
  const database = new Database(path, { readonly: true });
  try {
    const counts = {} as BaselineCounts;
    for (const [name, sql] of Object.entries(BASELINE_QUERIES) as [keyof BaselineCounts, string][]) {
      counts[name] = (database.prepare(sql).get() as { n: number }).n;
    }
    return counts;
  } finally {
    database.close();
  }
}
