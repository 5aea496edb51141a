// One walk-forward evaluation as a queued job: it runs in the train worker (never on the engine's
// thread), reports its progress on `job.progress`, and settles once the worker has exited.
import type { ParsedRequestOf } from '../../shared/contract';
import type { EngineBus } from '../engine/topics';
import type { VixCloses } from '../features/vix';
import type { JobProgress, RunningJob } from '../jobs/job-queue';
import { startWorker } from '../workers/launch';
import type { TrainWorkerMessage } from '../workers/train-worker';

export interface WalkForwardJobParts {
  bus: EngineBus;
  /** The history database the worker opens itself (never ':memory:'). */
  dbPath: string;
  nativeBinding?: string;
  vix: VixCloses | null;
}

export function startWalkForward(parts: WalkForwardJobParts, jobId: string, req: ParsedRequestOf<'models.walkForward'>, label: string): RunningJob {
  const worker = startWorker('train-worker', {
    kind: 'walk-forward',
    dbPath: parts.dbPath,
    ...(parts.nativeBinding ? { nativeBinding: parts.nativeBinding } : {}),
    symbols: req.symbols,
    from: req.from,
    to: req.to,
    period: req.period,
    trainPeriods: req.trainPeriods,
    ...(parts.vix ? { vix: parts.vix } : {}),
  });
  const publish = (state: JobProgress['state'], fraction: number, phase: string, message: string, result?: unknown): void =>
    parts.bus.publish('job.progress', { jobId, kind: 'evaluate', state, fraction, phase, message, ...(result !== undefined ? { result } : {}) });
  publish('running', 0, 'starting', label);
  let ended = false;
  const end = (state: 'done' | 'failed' | 'canceled', message: string, result?: unknown): void => {
    if (ended) return;
    ended = true;
    publish(state, 1, state, message, result);
    void worker.terminate();
  };
  worker.on('message', (m: TrainWorkerMessage) => {
    if (ended) return;
    if (m.type === 'progress') publish('running', m.fraction, m.phase, m.phase);
    else if (m.type === 'report') {
      end('done', `walk-forward: ${m.report.folds.length} folds, mean log loss ${m.report.summary.logLoss.toFixed(4)} vs prior ${m.report.summary.priorLogLoss.toFixed(4)}`, JSON.parse(JSON.stringify(m.report)));
    } else if (m.type === 'failed') end('failed', `walk-forward failed: ${m.message}`);
  });
  worker.on('error', (error) => end('failed', `walk-forward failed: ${error.message}`));
  const settled = new Promise<void>((resolve) => {
    worker.on('exit', (code) => {
      end('failed', `the evaluation worker stopped (exit ${code})`);
      resolve();
    });
  });
  return { settled, cancel: () => end('canceled', `${label}: canceled`) };
}
