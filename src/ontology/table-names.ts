/**
 * Convex's rule for table names, shared by everything that reads or writes tables by name (snapshot reader,
 * export, bulk loads): letters, digits and underscores, starting with a letter, or with one underscore for a
 * system table (`_storage`), at most 64 characters. A name that passes can never climb out of a folder.
 */

const TABLE_NAME = /^_?[A-Za-z][A-Za-z0-9_]*$/;
/** Longest table name Convex accepts. */
export const MAX_TABLE_NAME = 64;

/** Why `name` cannot be a Convex table name, or null when it can. */
export function tableNameProblem(name: string): string | null {
  if (name.length === 0) return 'it is empty';
  if (name.length > MAX_TABLE_NAME) return `it is longer than ${MAX_TABLE_NAME} characters`;
  if (!TABLE_NAME.test(name)) return 'only letters, digits and underscores are allowed, starting with a letter (or one underscore for a system table)';
  return null;
}

/** `table name "x" is not a valid Convex table name (why)`, or null when the name is valid. */
export function invalidTableNameText(name: string): string | null {
  const problem = tableNameProblem(name);
  return problem === null ? null : `table name ${JSON.stringify(name.slice(0, 80))} is not a valid Convex table name (${problem})`;
}
