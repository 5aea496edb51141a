// Worker thread that imports one history file into the SQLite store (its own connection; WAL lets
// the engine keep reading), posting progress so the cockpit's progress bar moves. The file was
// checked by the engine before the job started; it is opened here without following links and must
// still be that same regular file. A message posted back never quotes the file.
import { closeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { NyseCalendar } from '../calendar/nyse';
import { openImportSource } from '../data/import/access';
import { importFailureMessage, importHistory } from '../data/import/importer';
import { importConnectionOptions, openDatabase } from '../store/database';
import { HistoryStore } from '../store/history-store';
import type { ImportJob, ImportWorkerMessage } from './import-job';

const job = workerData as ImportJob;
const post = (m: ImportWorkerMessage): void => parentPort!.postMessage(m);
// Set to 1 by the engine to cancel: read between chunks, so the transaction is rolled back cleanly.
const cancel = job.cancelFlag ? new Int32Array(job.cancelFlag) : null;

try {
  const fd = openImportSource(job.source);
  try {
    // Bulk bar upserts: synchronous=NORMAL (see importConnectionOptions); the engine's connection stays FULL.
    const db = openDatabase(job.dbPath, importConnectionOptions(job.nativeBinding));
    try {
      const report = importHistory(new HistoryStore(db), new NyseCalendar(), {
        file: job.source.name,
        fd,
        size: job.source.size,
        format: job.format,
        symbol: job.symbol,
        csv: job.csv,
        onProgress: (fraction, phase) => post({ type: 'progress', fraction, phase }),
        shouldStop: () => cancel !== null && Atomics.load(cancel, 0) === 1,
      });
      post({ type: 'done', report });
    } finally {
      db.close();
    }
  } finally {
    closeSync(fd);
  }
} catch (error) {
  post({ type: 'failed', message: importFailureMessage(job.source.name, error), canceled: error instanceof Error && error.name === 'ImportCanceledError' });
}
