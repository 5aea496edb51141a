// The backtest channels: start a run (checked here first, so missing history is refused at once with
// what to import), cancel it, list past runs, open one, and the stored bars of the day a trade was on.
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bar } from '../../../shared/domain';
import { startBacktestJob } from '../../backtest/backtest-job';
import type { BacktestStore } from '../../backtest/backtest-store';
import { BacktestInputError } from '../../backtest/errors';
import { checkHistory } from '../../backtest/history-check';
import type { NyseCalendar } from '../../calendar/nyse';
import type { EngineConfig } from '../../config/config';
import type { EngineBus } from '../../engine/topics';
import { RefusalError } from '../../ipc/dispatcher';
import type { JobQueue } from '../../jobs/job-queue';
import type { Logger } from '../../logging/logger';
import type { ModelRegistry } from '../../ml/registry/registry';
import type { HistoryStore } from '../../store/history-store';
import type { DomainHandlers } from './combine';

type BacktestChannel = 'backtest.run' | 'backtest.cancel' | 'backtest.list' | 'backtest.get' | 'backtest.dayBars';

export interface BacktestHandlerDeps {
  config: EngineConfig;
  bus: EngineBus;
  store: HistoryStore;
  calendar: NyseCalendar;
  registry: ModelRegistry;
  runs: BacktestStore;
  jobs: JobQueue;
  nativeBinding?: string;
  log: Logger;
  /** Where runs keep their own databases while they run (default: the system's temporary folder). */
  workRoot?: string;
}

export function backtestHandlers(deps: BacktestHandlerDeps): DomainHandlers<BacktestChannel> {
  const jobOfRun = new Map<string, string>();
  return {
    'backtest.run': (spec) => {
      if (deps.config.dbPath === ':memory:') throw new RefusalError('NOT_AVAILABLE', 'backtests need the history in a database file (TRADING_DB_PATH), not in memory');
      try {
        checkHistory(deps.store, deps.calendar, spec.symbols, spec.from, spec.to);
      } catch (error) {
        if (error instanceof BacktestInputError) throw new RefusalError('REFUSED', error.message);
        throw error;
      }
      if (spec.model.kind === 'frozen' && !deps.registry.get(spec.model.modelId)) {
        throw new RefusalError('REFUSED', `no model ${spec.model.modelId} in the registry; pick one the Models panel lists`);
      }
      const runId = `bt-${randomUUID().slice(0, 12)}`;
      const label = spec.label ?? `backtest ${spec.symbols.join(',')} ${spec.from} → ${spec.to}`;
      deps.runs.begin(runId, spec, Date.now());
      try {
        const { jobId } = deps.jobs.enqueue('backtest', label, (id) =>
          startBacktestJob(
            { bus: deps.bus, runs: deps.runs, log: deps.log.child('backtest') },
            id,
            {
              runId,
              spec,
              historyDbPath: deps.config.dbPath,
              workDir: join(deps.workRoot ?? tmpdir(), `cockpit-${runId}`),
              base: deps.config,
              ...(deps.nativeBinding ? { nativeBinding: deps.nativeBinding } : {}),
            },
            label,
          ),
        );
        jobOfRun.set(runId, jobId);
        if (jobOfRun.size > 200) jobOfRun.delete(jobOfRun.keys().next().value!);
        return { runId, jobId };
      } catch (error) {
        deps.runs.end(runId, 'failed', error instanceof Error ? error.message : String(error));
        throw error;
      }
    },
    'backtest.cancel': ({ runId }) => {
      const jobId = jobOfRun.get(runId);
      if (!jobId) return { canceled: false };
      const outcome = deps.jobs.cancel(jobId);
      // A run still waiting its turn never started: it ends here.
      if (outcome === 'canceled') deps.runs.end(runId, 'canceled', 'canceled before it started');
      return { canceled: outcome !== 'unknown' };
    },
    'backtest.list': ({ limit }) => ({ runs: deps.runs.list(limit) }),
    'backtest.get': ({ runId }) => {
      const summary = deps.runs.summary(runId);
      if (!summary) throw new RefusalError('REFUSED', `no backtest run ${runId}`);
      return { summary, result: deps.runs.result(runId) };
    },
    'backtest.dayBars': ({ symbol, date }) => {
      const session = deps.calendar.session(date);
      if (!session) return { bars: [] };
      const bars: Bar[] = deps.store
        .loadBars(symbol, '1m', session.open, session.close)
        .map((b) => ({ symbol, timeframe: '1m', start: b.start, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume }));
      return { bars };
    },
  };
}
