import { backupPortContract } from '../../contracts/backup-port.contract.ts';
import { SqliteBackupPort } from '../../../src/store/sqlite/migration-backup.ts';
import { counterRandom, tempDir, tempStore } from '../../helpers/temp-store.ts';

backupPortContract('SQLite', async () => {
  const { store } = tempStore({ random: counterRandom(), now: () => 1_700_000_000_000 });
  return { port: new SqliteBackupPort(store), documents: store, leases: store, dir: tempDir(), close: async () => store.close() };
});
