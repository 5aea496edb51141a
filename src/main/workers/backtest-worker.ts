// Worker thread that runs one backtest (the engine's thread keeps serving the live session and the
// cockpit): the run's own engine on stored history, progress posted as it goes, the result at the end.
// Canceled through a shared flag the driver reads between due times.
import { parentPort, workerData } from 'node:worker_threads';
import { BacktestCanceled } from '../backtest/errors';
import { runBacktest } from '../backtest/run-backtest';
import type { BacktestJob, BacktestWorkerMessage } from '../backtest/backtest-job';

const job = workerData as BacktestJob;
const post = (m: BacktestWorkerMessage): void => parentPort!.postMessage(m);
const cancel = new Int32Array(job.cancelFlag);

runBacktest(job.spec, {
  runId: job.runId,
  historyDbPath: job.historyDbPath,
  workDir: job.workDir,
  base: job.base,
  ...(job.nativeBinding ? { nativeBinding: job.nativeBinding } : {}),
  shouldStop: () => Atomics.load(cancel, 0) === 1,
  onProgress: (progress) => post({ type: 'progress', progress }),
}).then(
  (result) => post({ type: 'done', result }),
  (error: unknown) =>
    post(error instanceof BacktestCanceled ? { type: 'canceled' } : { type: 'failed', message: error instanceof Error ? error.message : String(error) }),
);
