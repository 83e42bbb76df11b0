// The plain-SQL formulation of the full check as a process of its own, for the whole-process bench phase: the
// same queries as `sql-baseline.ts` (passed in BENCH_SQL_QUERIES as JSON, so they are written once), run with
// better-sqlite3 from plain JavaScript, so it starts as fast as a hand-written script would.
// Usage: node bench/sql-baseline-process.mjs <database file>; prints the counts as one JSON line.
import Database from 'better-sqlite3';

const queries = JSON.parse(process.env.BENCH_SQL_QUERIES ?? '{}');
const database = new Database(process.argv[2], { readonly: true, fileMustExist: true });
const counts = {};
for (const [name, sql] of Object.entries(queries)) counts[name] = database.prepare(sql).get().n;
database.close();
process.stdout.write(`${JSON.stringify(counts)}\n`);
