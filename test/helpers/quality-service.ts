/** The quality service over a SQLite test store (what the composition root builds for the bot). */
import { createQualityService, type QualityService } from '../../src/quality/service.ts';
import type { ThresholdTable } from '../../src/quality/thresholds.ts';
import { SqliteCheckPort, type SqliteCheckPortOptions } from '../../src/store/sqlite/check-port.ts';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

/** The quality service over `store` through its SQLite check port (`useWorker` defaults to true, as in the bot). */
export function sqliteQualityService(store: SqliteStore, options: SqliteCheckPortOptions & { thresholds?: ThresholdTable } = {}): QualityService {
  const { thresholds, ...portOptions } = options;
  return createQualityService({ checks: new SqliteCheckPort(store, portOptions), documents: store, ...(thresholds ? { thresholds } : {}) });
}
