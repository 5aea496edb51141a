// Runs a history import off the engine's thread and reports progress as `job.progress` events.
// The path is checked first, synchronously (resolveImportSource), so a refused path is answered at
// once and no job exists for it; the job then reads only the file that passed. Nothing the job
// publishes quotes the file: a failure names the file by its base name and says why.
import { closeSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type { NyseCalendar } from '../calendar/nyse';
import { checkImportFile, ImportAccessError, openImportSource, type ImportPolicy, type ImportSource } from '../data/import/access';
import type { CsvOptions, ImportFormat } from '../data/import/formats';
import { importFailureMessage, importHistory, type ImportReport } from '../data/import/importer';
import { RefusalError } from '../ipc/dispatcher';
import type { Logger } from '../logging/logger';
import type { HistoryStore } from '../store/history-store';
import type { EngineBus } from '../engine/topics';
import { startWorker } from './launch';

export interface ImportJob {
  source: ImportSource;
  dbPath: string;
  nativeBinding?: string;
  format: ImportFormat;
  symbol: string;
  csv: CsvOptions;
  /** One Int32 the engine sets to 1 to cancel; the worker reads it between chunks. */
  cancelFlag?: SharedArrayBuffer;
}

export type ImportWorkerMessage =
  | { type: 'progress'; fraction: number; phase: string }
  | { type: 'done'; report: ImportReport }
  | { type: 'failed'; message: string; canceled?: boolean };

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

export interface ImportJobRequest {
  /** A file that passed resolveImportSource. */
  source: ImportSource;
  format: ImportFormat;
  symbol: string;
  csv: CsvOptions;
}

export interface ImportJobHandle {
  jobId: string;
  /** Resolves when the job has ended (done, failed or canceled) and its worker has exited; never rejects. */
  settled: Promise<void>;
  /** Stops the job with nothing written and publishes it as 'canceled'; a no-op once it has ended. */
  cancel(): void;
}

/**
 * The contract's path check: the real path must be a regular file the policy allows. Every refusal
 * but "too large" reads the same, so a caller learns nothing about files it may not import (not
 * even whether they exist).
 */
export function resolveImportSource(path: string, policy: ImportPolicy): ImportSource {
  try {
    return checkImportFile(path, policy);
  } catch (error) {
    if (error instanceof ImportAccessError && error.reason === 'too_large') throw new RefusalError('BAD_REQUEST', `history.import: ${error.message}`);
    throw new RefusalError('BAD_REQUEST', refusedPathMessage(policy));
  }
}

/** The one answer for a path that may not be imported, whatever the reason. */
export function refusedPathMessage(policy: ImportPolicy): string {
  const where = policy.roots === 'anywhere' ? 'a regular file' : `a regular file inside the import folder (${policy.roots.join(', ')})`;
  const chosen = policy.files !== undefined ? ', or a file chosen with “Choose file…”,' : '';
  return `history.import: that path cannot be imported: only ${where}${chosen} can be`;
}

export function runImportJob(deps: ImportJobDeps, request: ImportJobRequest): ImportJobHandle {
  const { source } = request;
  const jobId = deps.nextId();
  let ended = false;
  let workerGone = true;
  let resolveSettled!: () => void;
  const settled = new Promise<void>((resolve) => (resolveSettled = resolve));
  const settleIfDone = (): void => {
    if (ended && workerGone) resolveSettled();
  };
  const publish = (state: 'running' | 'done' | 'failed' | 'canceled', fraction: number, phase: string, message: string, result?: unknown): void =>
    deps.bus.publish('job.progress', { jobId, kind: 'import', state, fraction, phase, message, ...(result !== undefined ? { result } : {}) });
  const finish = (m: ImportWorkerMessage): void => {
    if (ended) return;
    if (m.type === 'progress') {
      publish('running', m.fraction, m.phase, `importing ${source.name}: ${m.phase}`);
      return;
    }
    ended = true;
    if (m.type === 'done') {
      const rejected = Object.values(m.report.rejected).reduce((a, b) => a + (b ?? 0), 0);
      const message = `imported ${m.report.symbol}: ${m.report.inserted} new bars, ${m.report.unchanged} already stored, ${rejected} rejected`;
      deps.log.info(message, { file: m.report.file, rejected: m.report.rejected });
      publish('done', 1, 'done', message, m.report);
      deps.onDone?.(m.report);
    } else if (m.canceled === true) {
      deps.log.info('import canceled', { file: source.name });
      publish('canceled', 1, 'canceled', `import of ${source.name} canceled, nothing was written`);
    } else {
      deps.log.warn('import failed', { file: source.name, message: m.message });
      publish('failed', 1, 'failed', `import of ${source.name} failed, nothing was written: ${m.message}`);
    }
    settleIfDone();
  };
  const flag = new Int32Array(new SharedArrayBuffer(4));
  let worker: Worker | null = null;
  const cancel = (): void => {
    if (ended) return;
    Atomics.store(flag, 0, 1);
    // terminate() stops even a long write at once; better-sqlite3 closes the worker's connection as
    // the thread goes, which rolls the open transaction back.
    void worker?.terminate();
    finish({ type: 'failed', message: 'canceled', canceled: true });
  };

  publish('running', 0, 'starting', `importing ${source.name}`);
  if (deps.dbPath === ':memory:') {
    // An in-memory history cannot be shared with a worker: import on this thread (tests only).
    queueMicrotask(() => {
      if (ended) return;
      try {
        const fd = openImportSource(source);
        try {
          const report = importHistory(deps.store, deps.calendar, {
            file: source.name,
            fd,
            size: source.size,
            format: request.format,
            symbol: request.symbol,
            csv: request.csv,
            onProgress: (fraction, phase) => finish({ type: 'progress', fraction, phase }),
            shouldStop: () => Atomics.load(flag, 0) === 1,
          });
          finish({ type: 'done', report });
        } finally {
          closeSync(fd);
        }
      } catch (error) {
        finish({ type: 'failed', message: importFailureMessage(source.name, error), canceled: error instanceof Error && error.name === 'ImportCanceledError' });
      }
    });
    return { jobId, settled, cancel };
  }
  const job: ImportJob = {
    source,
    format: request.format,
    symbol: request.symbol,
    csv: request.csv,
    dbPath: deps.dbPath,
    cancelFlag: flag.buffer as SharedArrayBuffer,
    ...(deps.nativeBinding ? { nativeBinding: deps.nativeBinding } : {}),
  };
  const started = startWorker('import-worker', job);
  worker = started;
  workerGone = false;
  started.on('message', (m: ImportWorkerMessage) => finish(m));
  started.on('error', (error) => {
    deps.log.warn('import worker error', { file: source.name, error: error.name });
    finish({ type: 'failed', message: importFailureMessage(source.name, error) });
  });
  started.on('exit', (code) => {
    workerGone = true;
    finish({ type: 'failed', message: `the import worker stopped (exit ${code})` });
    settleIfDone();
  });
  return { jobId, settled, cancel };
}
