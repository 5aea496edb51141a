// Runs a history import off the engine's thread and reports progress as `job.progress` events.
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { NyseCalendar } from '../calendar/nyse';
import type { CsvOptions, ImportFormat } from '../data/import/formats';
import { importHistory, type ImportReport } from '../data/import/importer';
import { RefusalError } from '../ipc/dispatcher';
import type { Logger } from '../logging/logger';
import type { HistoryStore } from '../store/history-store';
import type { EngineBus } from '../engine/topics';
import { startWorker } from './launch';

export interface ImportJob {
  path: string;
  dbPath: string;
  nativeBinding?: string;
  format: ImportFormat;
  symbol: string;
  csv: CsvOptions;
}

export type ImportWorkerMessage =
  | { type: 'progress'; fraction: number; phase: string }
  | { type: 'done'; report: ImportReport }
  | { type: 'failed'; message: string };

export interface ImportJobDeps {
  bus: EngineBus;
  store: HistoryStore;
  calendar: NyseCalendar;
  dbPath: string;
  nativeBinding?: string;
  log: Logger;
  nextId: () => string;
  /** Told when a job has finished, so the engine can refresh what it knows of the history. */
  onDone?: (report: ImportReport) => void;
}

export function runImportJob(deps: ImportJobDeps, request: Omit<ImportJob, 'dbPath' | 'nativeBinding'>): { jobId: string } {
  try {
    if (!statSync(request.path).isFile()) throw new Error('not a file');
  } catch (error) {
    throw new RefusalError('BAD_REQUEST', `history.import: cannot read ${request.path} (${error instanceof Error ? error.message : String(error)})`);
  }
  const jobId = deps.nextId();
  const publish = (state: 'running' | 'done' | 'failed', fraction: number, phase: string, message: string, result?: unknown): void =>
    deps.bus.publish('job.progress', { jobId, kind: 'import', state, fraction, phase, message, ...(result !== undefined ? { result } : {}) });
  const finish = (m: ImportWorkerMessage): void => {
    if (m.type === 'progress') publish('running', m.fraction, m.phase, `importing ${basename(request.path)}: ${m.phase}`);
    else if (m.type === 'done') {
      const rejected = Object.values(m.report.rejected).reduce((a, b) => a + (b ?? 0), 0);
      const message = `imported ${m.report.symbol}: ${m.report.inserted} new bars, ${m.report.unchanged} already stored, ${rejected} rejected`;
      deps.log.info(message, { file: m.report.file, rejected: m.report.rejected });
      publish('done', 1, 'done', message, m.report);
      deps.onDone?.(m.report);
    } else {
      deps.log.warn('import failed', { file: request.path, message: m.message });
      publish('failed', 1, 'failed', `import of ${basename(request.path)} failed, nothing was written: ${m.message}`);
    }
  };
  publish('running', 0, 'starting', `importing ${basename(request.path)}`);
  if (deps.dbPath === ':memory:') {
    // An in-memory history cannot be shared with a worker: import on this thread (tests only).
    queueMicrotask(() => {
      try {
        const report = importHistory(deps.store, deps.calendar, {
          file: basename(request.path),
          text: readFileSync(request.path, 'utf8'),
          format: request.format,
          symbol: request.symbol,
          csv: request.csv,
          onProgress: (fraction, phase) => finish({ type: 'progress', fraction, phase }),
        });
        finish({ type: 'done', report });
      } catch (error) {
        finish({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
      }
    });
    return { jobId };
  }
  const worker = startWorker('import-worker', { ...request, dbPath: deps.dbPath, ...(deps.nativeBinding ? { nativeBinding: deps.nativeBinding } : {}) } satisfies ImportJob);
  let settled = false;
  worker.on('message', (m: ImportWorkerMessage) => {
    if (m.type !== 'progress') settled = true;
    finish(m);
  });
  worker.on('error', (error) => {
    if (settled) return;
    settled = true;
    finish({ type: 'failed', message: error.message });
  });
  worker.on('exit', (code) => {
    if (!settled) finish({ type: 'failed', message: `the import worker stopped (exit ${code})` });
  });
  return { jobId };
}
