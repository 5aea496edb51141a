// Worker thread that imports one history file into the SQLite store (its own connection; WAL lets
// the engine keep reading), posting progress so the cockpit's progress bar moves.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { NyseCalendar } from '../calendar/nyse';
import { importHistory } from '../data/import/importer';
import { openDatabase } from '../store/database';
import { HistoryStore } from '../store/history-store';
import type { ImportJob, ImportWorkerMessage } from './import-job';

const job = workerData as ImportJob;
const post = (m: ImportWorkerMessage): void => parentPort!.postMessage(m);

try {
  const text = readFileSync(job.path, 'utf8');
  const db = openDatabase(job.dbPath, job.nativeBinding ? { nativeBinding: job.nativeBinding } : {});
  try {
    const report = importHistory(new HistoryStore(db), new NyseCalendar(), {
      file: basename(job.path),
      text,
      format: job.format,
      symbol: job.symbol,
      csv: job.csv,
      onProgress: (fraction, phase) => post({ type: 'progress', fraction, phase }),
    });
    post({ type: 'done', report });
  } finally {
    db.close();
  }
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}
