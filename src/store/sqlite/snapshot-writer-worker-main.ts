/**
 * Body of the snapshot writer thread: holds its own connection to the store file and applies the requests of
 * `WorkerSink` (begin, rows, commit, abort) in order, answering each one.
 */
import { parentPort } from 'node:worker_threads';
import { BulkLoadLeaseHeldError, DuplicateDocumentError, ConnectionLoad, StoreNotEmptyError, type WriterReply, type WriterRequest } from './snapshot-writer.ts';
import { SqliteStore } from './sqlite-store.ts';

let store: SqliteStore | null = null;
let load: ConnectionLoad | null = null;
/** Set once a request failed: the transaction is gone, so later requests (already on their way) do nothing. */
let failed = false;

function handle(request: WriterRequest): WriterReply {
  if (failed && request.type !== 'abort') return { ok: false, kind: 'failed', message: 'an earlier request of this load failed' };
  switch (request.type) {
    case 'begin': {
      store = SqliteStore.open(request.path);
      load = new ConnectionLoad(store);
      return { ok: true, existing: load.begin(request.plan) };
    }
    case 'rows': {
      const { ids, texts } = request;
      for (let index = 0; index < ids.length; index++) {
        load!.insert(request.physical, request.logical, {
          line: request.lines[index]!,
          id: ids[index]!,
          creationTime: request.creationTimes[index]!,
          columns: request.logical ? request.columns.slice(index * request.width, (index + 1) * request.width) : null,
          text: texts[index]!,
        });
      }
      return { ok: true };
    }
    case 'commit':
      load!.commit(request.tables);
      // Empty the WAL here, in this thread: otherwise the caller's connection pays for it (closing the last
      // connection checkpoints and deletes a WAL as large as the import) on its event loop.
      store!.database.pragma('wal_checkpoint(TRUNCATE)');
      close();
      return { ok: true };
    case 'abort':
      load?.rollback();
      close();
      return { ok: true };
  }
}

function close(): void {
  store?.close();
  store = null;
  load = null;
}

parentPort!.on('message', (request: WriterRequest) => {
  let reply: WriterReply;
  try {
    reply = handle(request);
  } catch (error) {
    if (error instanceof DuplicateDocumentError) {
      reply = { ok: false, kind: 'duplicate', physical: error.physical, line: error.line, id: error.id };
    } else if (error instanceof BulkLoadLeaseHeldError) {
      reply = { ok: false, kind: 'lease-held', lease: error.lease };
    } else if (error instanceof StoreNotEmptyError) {
      reply = { ok: false, kind: 'not-empty', documents: error.documents };
    } else {
      reply = { ok: false, kind: 'failed', message: (error as Error).message };
    }
    failed = true;
    load?.rollback();
  }
  parentPort!.postMessage(reply);
});
