// Worker thread of `LedgerService.verify`: verifies the chunks the main thread sends, on its own connection.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../db/database.ts';
import { verifyChunk, type ChunkTask } from './verify.ts';

const port = parentPort!;
const database = openDatabase((workerData as { url: string }).url, { max: 2 });
port.on('message', (msg: ChunkTask | 'close') => {
  if (msg === 'close') {
    void database.close().finally(() => port.close());
    return;
  }
  verifyChunk(database.db, msg).then(
    (r) => port.postMessage({ ok: r }),
    (e: unknown) => port.postMessage({ error: (e as Error).message ?? String(e) }),
  );
});
port.postMessage('ready');
