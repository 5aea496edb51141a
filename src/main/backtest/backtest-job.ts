// One backtest as a queued job: it runs in its own worker thread (never on the engine's thread),
// reports `backtest.progress` and `job.progress`, writes the finished result to the runs table, and
// settles once the worker has exited. Cancel sets a shared flag the run reads between due times.
import type { BacktestProgress, BacktestResult, BacktestSpec } from '../../shared/backtest';
import type { EngineConfig } from '../config/config';
import type { EngineBus } from '../engine/topics';
import type { RunningJob } from '../jobs/job-queue';
import type { Logger } from '../logging/logger';
import { startWorker } from '../workers/launch';
import type { BacktestStore } from './backtest-store';

export interface BacktestJob {
  runId: string;
  spec: BacktestSpec;
  historyDbPath: string;
  workDir: string;
  /** The host's configuration without its keys (a backtest never connects to a vendor). */
  base: EngineConfig;
  nativeBinding?: string;
  cancelFlag: SharedArrayBuffer;
}

export type BacktestWorkerMessage =
  | { type: 'progress'; progress: BacktestProgress }
  | { type: 'done'; result: BacktestResult }
  | { type: 'failed'; message: string }
  | { type: 'canceled' };

export interface BacktestJobParts {
  bus: EngineBus;
  runs: BacktestStore;
  log: Logger;
}

export function startBacktestJob(parts: BacktestJobParts, jobId: string, job: Omit<BacktestJob, 'cancelFlag'>, label: string): RunningJob {
  const cancelFlag = new SharedArrayBuffer(4);
  const base: EngineConfig = { ...job.base, alpaca: null, polygon: null };
  const worker = startWorker('backtest-worker', { ...job, base, cancelFlag } satisfies BacktestJob);
  const publish = (state: 'running' | 'done' | 'failed' | 'canceled', fraction: number, phase: string, message: string, result?: unknown): void =>
    parts.bus.publish('job.progress', { jobId, kind: 'backtest', state, fraction, phase, message, ...(result !== undefined ? { result } : {}) });
  publish('running', 0, 'starting', label);
  let ended = false;
  const end = (state: 'done' | 'failed' | 'canceled', message: string, result?: unknown): void => {
    if (ended) return;
    ended = true;
    if (state !== 'done') parts.runs.end(job.runId, state, message);
    publish(state, 1, state, message, result);
    void worker.terminate();
  };
  worker.on('message', (m: BacktestWorkerMessage) => {
    if (ended) return;
    if (m.type === 'progress') {
      parts.bus.publish('backtest.progress', m.progress);
      publish('running', m.progress.fraction, m.progress.phase, `${label}: ${(m.progress.fraction * 100).toFixed(0)}%`);
    } else if (m.type === 'done') {
      try {
        parts.runs.finish(m.result);
        end('done', `${label}: ${m.result.trades.length} trades, total return ${(m.result.metrics.totalReturn * 100).toFixed(2)}%`, { runId: job.runId });
      } catch (error) {
        parts.log.error('storing a backtest result failed', { error, runId: job.runId });
        end('failed', `${label}: the result could not be stored`);
      }
    } else if (m.type === 'canceled') end('canceled', `${label}: canceled`);
    else end('failed', `${label} failed: ${m.message}`);
  });
  worker.on('error', (error) => end('failed', `${label} failed: ${error.message}`));
  const settled = new Promise<void>((resolve) => {
    worker.on('exit', (code) => {
      end('failed', `${label}: the backtest worker stopped (exit ${code})`);
      resolve();
    });
  });
  return {
    settled,
    cancel: () => {
      // The run stops at its next due time and answers 'canceled'; a worker that does not is ended.
      Atomics.store(new Int32Array(cancelFlag), 0, 1);
      const timer = setTimeout(() => end('canceled', `${label}: canceled`), 5_000);
      timer.unref();
    },
  };
}
