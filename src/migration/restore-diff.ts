/**
 * What a full restore would change (the `BackupPort.compare` answer): records created, changed and deleted since
 * the backup, as counts and the first ids.
 */

/** A record named by table and id. */
export interface TableRecordId {
  table: string;
  id: string;
}

/** A count and the first ids. */
export interface IdSample {
  count: number;
  ids: TableRecordId[];
}

/** An id sample being filled: `add` counts every id and keeps the first `limit`. */
export function idSample(limit: number): IdSample & { add: (table: string, id: string) => void } {
  const result = {
    count: 0,
    ids: [] as TableRecordId[],
    add(table: string, id: string) {
      result.count++;
      if (result.ids.length < limit) result.ids.push({ table, id });
    },
  };
  return result;
}

/** The difference between the store and a backup. */
export interface RestoreComparison {
  /** Records in the store but not in the backup: written after it, lost by a restore. */
  createdSinceBackup: IdSample;
  /** Records whose document differs from the backup's: their later changes are lost by a restore. */
  changedSinceBackup: IdSample;
  /** Records in the backup but no longer in the store: brought back by a restore. */
  deletedSinceBackup: IdSample;
  /** Records identical in both. */
  unchanged: number;
}

