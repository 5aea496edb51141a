// The history channels: choosing a file to import, importing it as a queued job, and what is stored.
// What `history.import` may read: files in the import folder, and in the desktop app the files the
// trader picked in its dialog this session (real paths). Never anything else the socket names.
import type { EngineConfig } from '../../config/config';
import type { NyseCalendar } from '../../calendar/nyse';
import { checkImportFile, ImportAccessError, listImportFiles, type ImportPolicy } from '../../data/import/access';
import type { EngineBus } from '../../engine/topics';
import { RefusalError } from '../../ipc/dispatcher';
import type { JobQueue } from '../../jobs/job-queue';
import type { Logger } from '../../logging/logger';
import type { HistoryStore } from '../../store/history-store';
import { resolveImportSource, runImportJob } from '../../workers/import-job';
import type { DomainHandlers } from './combine';

export interface HistoryHandlerDeps {
  config: Pick<EngineConfig, 'importDir' | 'dbPath'>;
  nativeBinding?: string;
  /** The desktop app's open-file dialog (null when canceled); without it the import folder is listed. */
  chooseImportFile?: () => Promise<string | null>;
  bus: EngineBus;
  store: HistoryStore;
  calendar: NyseCalendar;
  jobs: Pick<JobQueue, 'enqueue'>;
  log: Logger;
}

export function historyHandlers(deps: HistoryHandlerDeps): DomainHandlers<'history.chooseImportFile' | 'history.import' | 'history.summary'> {
  const { config, store, chooseImportFile } = deps;
  const chosenImportFiles = new Set<string>();
  const importPolicy: ImportPolicy = { roots: [config.importDir], ...(chooseImportFile ? { files: chosenImportFiles } : {}) };
  return {
    'history.chooseImportFile': async () => {
      if (!chooseImportFile) return { kind: 'folder' as const, folder: config.importDir, files: listImportFiles(config.importDir) };
      const picked = await chooseImportFile();
      if (picked === null) return { kind: 'canceled' as const };
      try {
        // The trader picked it in the system's dialog; it is still only ever a regular file outside /proc, /dev and /sys.
        const source = checkImportFile(picked, { roots: 'anywhere' });
        chosenImportFiles.add(source.path);
        return { kind: 'chosen' as const, path: source.path, name: source.name };
      } catch (error) {
        throw new RefusalError('BAD_REQUEST', `history.chooseImportFile: ${error instanceof ImportAccessError ? error.message : 'that file cannot be imported'}`);
      }
    },
    'history.import': (req) => {
      // Checked now, before a job exists: a refused path is answered at once, with one message for every reason.
      const source = resolveImportSource(req.path, importPolicy);
      const label = `import of ${source.name} as ${req.symbol}`;
      const request = {
        source,
        format: req.format,
        symbol: req.symbol,
        csv: {
          ...(req.timeZone ? { timeZone: req.timeZone } : {}),
          ...(req.stamp ? { stamp: req.stamp } : {}),
          ...(req.columns ? { columns: req.columns } : {}),
        },
      };
      const start = (jobId: string) =>
        runImportJob(
          {
            bus: deps.bus,
            store,
            calendar: deps.calendar,
            dbPath: config.dbPath,
            ...(deps.nativeBinding ? { nativeBinding: deps.nativeBinding } : {}),
            log: deps.log.child('import'),
            nextId: () => jobId,
          },
          request,
        );
      return { jobId: deps.jobs.enqueue('import', label, start).jobId };
    },
    'history.summary': () => ({
      dbPath: config.dbPath,
      symbols: store.symbols('1m').map((symbol) => {
        const range = store.range(symbol, '1m')!;
        return { symbol, bars: store.countBars('1m', symbol), first: range.first, last: range.last };
      }),
    }),
  };
}
