// The engine's long jobs (imports, walk-forward evaluations, training, backtests) wait their turn here:
// each kind runs at most `concurrency` jobs at once, the rest wait first in, first out, and past
// `maxQueued` waiting jobs a new one is refused with the limit named. A waiting job is shown as
// `job.progress` state 'queued' with its 1-based position among the waiting jobs of its kind, sent
// again whenever a job ahead of it starts or leaves. Every job can be canceled: a waiting one is
// dropped (state 'canceled'), a running one is told to stop through its own cancel.
// One queue per engine: nothing here is shared between engines.
import type { EventPayload } from '../../shared/contract';
import { RefusalError } from '../ipc/dispatcher';

export type JobProgress = EventPayload<'job.progress'>;
export type JobKind = JobProgress['kind'];

export interface KindLimit {
  /** Jobs of the kind that run at the same time (at least 1). */
  readonly concurrency: number;
  /** Jobs of the kind that may wait for a slot; one more is refused (0: refuse whenever all slots are busy). */
  readonly maxQueued: number;
}
export type JobLimits = Readonly<Record<JobKind, KindLimit>>;

/** One job of each kind at a time: each of them already works a core (or a file of tens of MB) hard. */
export const DEFAULT_JOB_LIMITS: JobLimits = Object.freeze({
  import: Object.freeze({ concurrency: 1, maxQueued: 4 }),
  evaluate: Object.freeze({ concurrency: 1, maxQueued: 4 }),
  train: Object.freeze({ concurrency: 1, maxQueued: 2 }),
  backtest: Object.freeze({ concurrency: 1, maxQueued: 4 }),
});

/** A job that has been started: `settled` resolves (or rejects) once it has ended, whatever the outcome. */
export interface RunningJob {
  readonly settled: Promise<unknown>;
  /** Asks the job to stop; the job itself publishes its final progress. Called at most once. */
  cancel(): void;
}

/**
 * Starts the job under the queue's id. It publishes its own 'running', 'done' and 'failed' progress
 * under that id; throwing here counts as a failure to start.
 */
export type StartJob = (jobId: string) => RunningJob;

export interface JobInfo {
  jobId: string;
  kind: JobKind;
  label: string;
  state: 'queued' | 'running';
  /** 1-based place among the waiting jobs of its kind; 0 while running. */
  position: number;
}

export interface JobQueueOptions {
  /** Where 'queued' and 'canceled' progress goes (the engine's bus). */
  publish: (progress: JobProgress) => void;
  /** Limits over DEFAULT_JOB_LIMITS, per kind. */
  limits?: Partial<Record<JobKind, Partial<KindLimit>>>;
  /** Job ids (default `<kind>-<n>`, counted per queue). */
  nextId?: (kind: JobKind) => string;
  /** A job whose start threw or whose `settled` rejected (it has already been accounted for). */
  onError?: (jobId: string, error: unknown) => void;
}

export type CancelOutcome =
  /** It was waiting: removed, it never ran. */
  | 'canceled'
  /** It was running: told to stop; its own progress says when it has. */
  | 'canceling'
  /** No such job is waiting or running (it may have finished already). */
  | 'unknown';

interface Entry {
  readonly jobId: string;
  readonly kind: JobKind;
  readonly label: string;
  readonly start: StartJob;
  job: RunningJob | null;
  cancelRequested: boolean;
  settled: Promise<void> | null;
}

const KINDS: readonly JobKind[] = ['import', 'evaluate', 'train', 'backtest'];

function checkLimit(kind: JobKind, limit: KindLimit): KindLimit {
  if (!Number.isInteger(limit.concurrency) || limit.concurrency < 1) {
    throw new RangeError(`job limit ${kind}.concurrency must be a whole number of at least 1, got ${limit.concurrency}`);
  }
  if (!Number.isInteger(limit.maxQueued) || limit.maxQueued < 0) {
    throw new RangeError(`job limit ${kind}.maxQueued must be a whole number of at least 0, got ${limit.maxQueued}`);
  }
  return Object.freeze({ concurrency: limit.concurrency, maxQueued: limit.maxQueued });
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class JobQueue {
  readonly limits: JobLimits;
  private readonly waiting = new Map<JobKind, Entry[]>();
  /** Running jobs in the order they started. */
  private readonly active = new Map<string, Entry>();
  private counter = 0;
  private stopped = false;

  constructor(private readonly options: JobQueueOptions) {
    const limits = {} as Record<JobKind, KindLimit>;
    for (const kind of KINDS) limits[kind] = checkLimit(kind, { ...DEFAULT_JOB_LIMITS[kind], ...options.limits?.[kind] });
    this.limits = Object.freeze(limits);
    for (const kind of KINDS) this.waiting.set(kind, []);
  }

  /**
   * Starts the job now if a slot of its kind is free and nobody waits before it, else queues it.
   * Returns its id and its position (0: started; n ≥ 1: n-th in line). Throws RefusalError 'REFUSED'
   * when the kind's queue is full, 'NOT_AVAILABLE' once the queue is stopped; a start that throws at
   * once is thrown on (the job never existed).
   */
  enqueue(kind: JobKind, label: string, start: StartJob): { jobId: string; position: number } {
    if (this.stopped) throw new RefusalError('NOT_AVAILABLE', `the engine is stopping: ${label} was not started`);
    const limit = this.limits[kind];
    const queue = this.queueOf(kind);
    const running = this.runningCount(kind);
    if (running < limit.concurrency && queue.length === 0) {
      const entry = this.entry(kind, label, start);
      this.launch(entry);
      return { jobId: entry.jobId, position: 0 };
    }
    if (queue.length >= limit.maxQueued) {
      throw new RefusalError(
        'REFUSED',
        `too many ${kind} jobs: ${running} running and ${queue.length} waiting, the limit is ${limit.concurrency} running and ${limit.maxQueued} queued; ` +
          `${label} was not started (try again when one has finished, or cancel one)`,
      );
    }
    const entry = this.entry(kind, label, start);
    queue.push(entry);
    this.publishQueued(entry, queue.length);
    return { jobId: entry.jobId, position: queue.length };
  }

  /** Cancels a waiting job (it never starts) or asks a running one to stop. */
  cancel(jobId: string): CancelOutcome {
    const running = this.active.get(jobId);
    if (running) {
      this.requestCancel(running);
      return 'canceling';
    }
    for (const queue of this.waiting.values()) {
      const index = queue.findIndex((e) => e.jobId === jobId);
      if (index < 0) continue;
      const [entry] = queue.splice(index, 1);
      this.publishCanceled(entry!, 'canceled before it started');
      this.publishPositions(queue, index);
      return 'canceled';
    }
    return 'unknown';
  }

  /** Running jobs (in the order they started), then the waiting ones of each kind in line. */
  list(): JobInfo[] {
    const out: JobInfo[] = [...this.active.values()].map((e) => ({ jobId: e.jobId, kind: e.kind, label: e.label, state: 'running', position: 0 }));
    for (const queue of this.waiting.values()) {
      queue.forEach((e, i) => out.push({ jobId: e.jobId, kind: e.kind, label: e.label, state: 'queued', position: i + 1 }));
    }
    return out;
  }

  /** Jobs of a kind running now. */
  runningCount(kind: JobKind): number {
    let n = 0;
    for (const e of this.active.values()) if (e.kind === kind) n++;
    return n;
  }

  /** Jobs of a kind waiting for a slot. */
  queuedCount(kind: JobKind): number {
    return this.queueOf(kind).length;
  }

  /** Resolves once no job is running (waiting ones do not count: they start as slots free). */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.all([...this.active.values()].map((e) => e.settled));
  }

  /**
   * The engine's stop: refuses new jobs, cancels every waiting job (published 'canceled') and every
   * running one; resolves when the running ones have settled.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const queue of this.waiting.values()) {
      for (const entry of queue.splice(0)) this.publishCanceled(entry, 'canceled: the engine stopped before it started');
    }
    for (const entry of [...this.active.values()]) this.requestCancel(entry);
    await this.idle();
  }

  private queueOf(kind: JobKind): Entry[] {
    return this.waiting.get(kind)!;
  }

  private entry(kind: JobKind, label: string, start: StartJob): Entry {
    const jobId = this.options.nextId ? this.options.nextId(kind) : `${kind}-${++this.counter}`;
    return { jobId, kind, label, start, job: null, cancelRequested: false, settled: null };
  }

  /** Runs the job in a slot; throws (with the slot freed again) when its start throws. */
  private launch(entry: Entry): void {
    this.active.set(entry.jobId, entry);
    let job: RunningJob;
    try {
      job = entry.start(entry.jobId);
    } catch (error) {
      this.active.delete(entry.jobId);
      throw error;
    }
    entry.job = job;
    entry.settled = Promise.resolve(job.settled).then(
      () => this.release(entry),
      (error: unknown) => {
        this.options.onError?.(entry.jobId, error);
        this.release(entry);
      },
    );
  }

  private release(entry: Entry): void {
    this.active.delete(entry.jobId);
    this.pump(entry.kind);
  }

  /** Starts waiting jobs of a kind, first in first, while slots are free; then tells the rest their place. */
  private pump(kind: JobKind): void {
    if (this.stopped) return;
    const queue = this.queueOf(kind);
    const limit = this.limits[kind];
    let moved = false;
    while (queue.length > 0 && this.runningCount(kind) < limit.concurrency) {
      const entry = queue.shift()!;
      moved = true;
      try {
        this.launch(entry);
      } catch (error) {
        this.options.onError?.(entry.jobId, error);
        this.options.publish({ jobId: entry.jobId, kind, state: 'failed', fraction: 1, phase: 'failed', message: `${entry.label} could not start: ${errorText(error)}` });
      }
    }
    if (moved) this.publishPositions(queue, 0);
  }

  private requestCancel(entry: Entry): void {
    if (entry.cancelRequested || !entry.job) return;
    entry.cancelRequested = true;
    try {
      entry.job.cancel();
    } catch (error) {
      this.options.onError?.(entry.jobId, error);
    }
  }

  private publishPositions(queue: readonly Entry[], from: number): void {
    for (let i = from; i < queue.length; i++) this.publishQueued(queue[i]!, i + 1);
  }

  private publishQueued(entry: Entry, position: number): void {
    const running = this.runningCount(entry.kind);
    this.options.publish({
      jobId: entry.jobId,
      kind: entry.kind,
      state: 'queued',
      fraction: 0,
      phase: 'queued',
      message: `${entry.label}: queued (#${position}), waiting for ${running} running ${entry.kind} job${running === 1 ? '' : 's'}${position > 1 ? ` and ${position - 1} ahead` : ''}`,
      position,
    });
  }

  private publishCanceled(entry: Entry, why: string): void {
    this.options.publish({ jobId: entry.jobId, kind: entry.kind, state: 'canceled', fraction: 0, phase: 'canceled', message: `${entry.label}: ${why}` });
  }
}
