// Issue 12, "No limit on jobs": twenty walk-forwards and four 50 MB imports ran at once (31 threads,
// 1.5 GB). The queue runs at most `concurrency` jobs of a kind, lets the rest wait first in first out
// with their place published, refuses past the queue's length, and can cancel every job.
import { describe, expect, it, vi, type Mock } from 'vitest';
import { RefusalError } from '../../../src/main/ipc/dispatcher';
import { DEFAULT_JOB_LIMITS, JobQueue, type JobKind, type JobProgress, type KindLimit, type RunningJob } from '../../../src/main/jobs/job-queue';

interface FakeJob extends RunningJob {
  finish(): void;
  fail(error: unknown): void;
  cancel: Mock<() => void>;
}

function fakeJob(): FakeJob {
  let finish!: () => void;
  let fail!: (error: unknown) => void;
  const settled = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  // A canceled job ends (as a worker does once terminated).
  return { settled, finish, fail, cancel: vi.fn(() => finish()) };
}

function harness(limits?: Partial<Record<JobKind, Partial<KindLimit>>>) {
  const events: JobProgress[] = [];
  const started: string[] = [];
  const jobs = new Map<string, FakeJob>();
  const errors: Array<{ jobId: string; error: unknown }> = [];
  const waiters: Array<() => void> = [];
  const notify = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  const queue = new JobQueue({
    publish: (p) => {
      events.push(p);
      notify();
    },
    ...(limits ? { limits } : {}),
    onError: (jobId, error) => errors.push({ jobId, error }),
  });
  const start = (jobId: string): FakeJob => {
    const job = fakeJob();
    jobs.set(jobId, job);
    started.push(jobId);
    notify();
    return job;
  };
  /** Resolves once `pred` holds, re-checked at every start and every published progress. */
  const until = (pred: () => boolean): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (pred()) resolve();
        else waiters.push(check);
      };
      check();
    });
  const enqueue = (kind: JobKind = 'evaluate', label = 'walk-forward') => queue.enqueue(kind, label, start);
  const queuedOf = (jobId: string) => events.filter((e) => e.jobId === jobId && e.state === 'queued').map((e) => e.position);
  return { queue, events, started, jobs, errors, until, enqueue, start, queuedOf };
}

describe('JobQueue (issue 12: no limit on jobs)', () => {
  it('no limit on jobs: runs at most `concurrency` jobs of a kind at once, the rest wait, and the kinds do not share slots', () => {
    const h = harness({ evaluate: { concurrency: 2, maxQueued: 10 } });
    const ids = Array.from({ length: 6 }, () => h.enqueue('evaluate'));
    expect(ids.map((r) => r.position)).toEqual([0, 0, 1, 2, 3, 4]);
    expect(h.started).toEqual([ids[0]!.jobId, ids[1]!.jobId]);
    expect(h.queue.runningCount('evaluate')).toBe(2);
    expect(h.queue.queuedCount('evaluate')).toBe(4);
    // An import is its own kind: it does not wait behind the evaluations.
    const imp = h.enqueue('import', 'import spy.txt');
    expect(imp.position).toBe(0);
    expect(h.started).toHaveLength(3);
    expect(h.queue.list().map((j) => [j.jobId, j.state, j.position])).toEqual([
      [ids[0]!.jobId, 'running', 0],
      [ids[1]!.jobId, 'running', 0],
      [imp.jobId, 'running', 0],
      [ids[2]!.jobId, 'queued', 1],
      [ids[3]!.jobId, 'queued', 2],
      [ids[4]!.jobId, 'queued', 3],
      [ids[5]!.jobId, 'queued', 4],
    ]);
  });

  it('no limit on jobs: starts the waiting jobs first in, first out, as slots free', async () => {
    const h = harness();
    const [a, b, c] = [h.enqueue(), h.enqueue(), h.enqueue()];
    expect(h.started).toEqual([a.jobId]);
    h.jobs.get(a.jobId)!.finish();
    await h.until(() => h.started.length === 2);
    expect(h.started).toEqual([a.jobId, b.jobId]);
    expect(h.queue.runningCount('evaluate')).toBe(1);
    h.jobs.get(b.jobId)!.finish();
    await h.until(() => h.started.length === 3);
    expect(h.started).toEqual([a.jobId, b.jobId, c.jobId]);
    h.jobs.get(c.jobId)!.finish();
    await h.queue.idle();
    expect(h.queue.list()).toEqual([]);
  });

  it('no limit on jobs: a waiting job is published as queued with its 1-based position, sent again as jobs ahead start or leave', async () => {
    const h = harness();
    const [a, b, c, d] = [h.enqueue(), h.enqueue(), h.enqueue(), h.enqueue()];
    expect(h.events.map((e) => [e.jobId, e.state, e.position])).toEqual([
      [b.jobId, 'queued', 1],
      [c.jobId, 'queued', 2],
      [d.jobId, 'queued', 3],
    ]);
    expect(h.events[1]).toMatchObject({ kind: 'evaluate', fraction: 0, phase: 'queued', message: expect.stringContaining('queued (#2)') });
    // b leaves the line: c and d move up, nobody else is told anything.
    expect(h.queue.cancel(b.jobId)).toBe('canceled');
    expect(h.events.slice(3).map((e) => [e.jobId, e.state, e.position])).toEqual([
      [b.jobId, 'canceled', undefined],
      [c.jobId, 'queued', 1],
      [d.jobId, 'queued', 2],
    ]);
    // a ends: c starts, d is now first in line.
    h.jobs.get(a.jobId)!.finish();
    await h.until(() => h.queuedOf(d.jobId).at(-1) === 1);
    expect(h.started).toEqual([a.jobId, c.jobId]);
    expect(h.queuedOf(c.jobId)).toEqual([2, 1]);
    expect(h.queuedOf(d.jobId)).toEqual([3, 2, 1]);
  });

  it('no limit on jobs: refuses a job past the queue length with REFUSED, naming the kind and the limit, and never starts it', () => {
    const h = harness({ evaluate: { concurrency: 1, maxQueued: 2 } });
    for (let i = 0; i < 3; i++) h.enqueue();
    const eventsBefore = h.events.length;
    let refusal: unknown;
    try {
      h.enqueue('evaluate', 'walk-forward on SPY');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(RefusalError);
    expect(refusal).toMatchObject({ code: 'REFUSED' });
    const message = (refusal as RefusalError).message;
    expect(message).toContain('evaluate');
    expect(message).toContain('1 running and 2 queued');
    expect(message).toContain('walk-forward on SPY');
    expect(h.started).toHaveLength(1);
    expect(h.events).toHaveLength(eventsBefore);
    expect(h.queue.queuedCount('evaluate')).toBe(2);
    // Other kinds are not refused because evaluations are.
    expect(h.enqueue('import').position).toBe(0);
  });

  it('no limit on jobs: maxQueued 0 refuses whenever every slot is busy', () => {
    const h = harness({ train: { maxQueued: 0 } });
    h.enqueue('train');
    expect(() => h.enqueue('train')).toThrow(/1 running and 0 queued/);
  });

  it('no limit on jobs: a canceled waiting job never starts', async () => {
    const h = harness();
    const [a, b, c] = [h.enqueue(), h.enqueue(), h.enqueue()];
    expect(h.queue.cancel(b.jobId)).toBe('canceled');
    expect(h.events.find((e) => e.jobId === b.jobId && e.state === 'canceled')).toMatchObject({ kind: 'evaluate', message: expect.stringContaining('canceled before it started') });
    expect(h.queue.cancel(b.jobId)).toBe('unknown');
    h.jobs.get(a.jobId)!.finish();
    await h.until(() => h.started.length === 2);
    expect(h.started).toEqual([a.jobId, c.jobId]);
  });

  it('no limit on jobs: cancel of a running job calls its cancel once, and its slot frees once it has settled', async () => {
    const h = harness();
    const a = h.enqueue();
    const b = h.enqueue();
    const job = h.jobs.get(a.jobId)!;
    job.cancel.mockImplementation(() => {}); // a worker takes a moment to stop
    expect(h.queue.cancel(a.jobId)).toBe('canceling');
    expect(h.queue.cancel(a.jobId)).toBe('canceling');
    expect(job.cancel).toHaveBeenCalledTimes(1);
    expect(h.started).toEqual([a.jobId]); // still running until it has settled
    job.finish();
    await h.until(() => h.started.length === 2);
    expect(h.started).toEqual([a.jobId, b.jobId]);
    expect(h.queue.cancel(a.jobId)).toBe('unknown');
  });

  it('no limit on jobs: stop cancels every waiting and running job, waits for the running ones, and refuses new ones', async () => {
    const h = harness({ evaluate: { concurrency: 2 } });
    const ev = [h.enqueue(), h.enqueue(), h.enqueue(), h.enqueue()];
    const imp = h.enqueue('import');
    let stopped = false;
    const stopping = h.queue.stop().then(() => (stopped = true));
    for (const id of [ev[0]!, ev[1]!, imp].map((r) => r.jobId)) expect(h.jobs.get(id)!.cancel).toHaveBeenCalledTimes(1);
    for (const id of [ev[2]!, ev[3]!].map((r) => r.jobId)) {
      expect(h.events.filter((e) => e.jobId === id).at(-1)).toMatchObject({ state: 'canceled', message: expect.stringContaining('engine stopped') });
    }
    await stopping;
    expect(stopped).toBe(true);
    expect(h.started).toHaveLength(3); // the waiting ones never started
    expect(h.queue.list()).toEqual([]);
    expect(() => h.enqueue()).toThrow(RefusalError);
    expect(() => h.enqueue()).toThrow(/stopping/);
  });

  it('no limit on jobs: stop resolves only after a running job has settled', async () => {
    const h = harness();
    const a = h.enqueue();
    const job = h.jobs.get(a.jobId)!;
    job.cancel.mockImplementation(() => {});
    let stopped = false;
    const stopping = h.queue.stop().then(() => (stopped = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(stopped).toBe(false);
    job.finish();
    await stopping;
    expect(stopped).toBe(true);
  });

  it('no limit on jobs: a start that throws at once is thrown on and frees its slot', () => {
    const h = harness();
    expect(() =>
      h.queue.enqueue('evaluate', 'walk-forward', () => {
        throw new Error('no worker entry');
      }),
    ).toThrow('no worker entry');
    expect(h.queue.runningCount('evaluate')).toBe(0);
    expect(h.enqueue().position).toBe(0);
  });

  it('no limit on jobs: a waiting job whose start throws is published failed and the next one starts', async () => {
    const h = harness();
    const a = h.enqueue();
    const b = h.queue.enqueue('evaluate', 'broken walk-forward', () => {
      throw new Error('no worker entry');
    });
    const c = h.enqueue();
    h.jobs.get(a.jobId)!.finish();
    await h.until(() => h.started.length === 2);
    expect(h.started).toEqual([a.jobId, c.jobId]);
    expect(h.events.filter((e) => e.jobId === b.jobId).at(-1)).toMatchObject({ state: 'failed', message: expect.stringContaining('no worker entry') });
    expect(h.errors.map((e) => e.jobId)).toEqual([b.jobId]);
  });

  it('no limit on jobs: a job whose settled rejects frees its slot too', async () => {
    const h = harness();
    const a = h.enqueue();
    h.enqueue();
    h.jobs.get(a.jobId)!.fail(new Error('worker crashed'));
    await h.until(() => h.started.length === 2);
    expect(h.errors).toMatchObject([{ jobId: a.jobId, error: { message: 'worker crashed' } }]);
  });

  it('no limit on jobs: limits default to one job of each kind at a time and are checked', () => {
    const h = harness();
    expect(h.queue.limits).toEqual(DEFAULT_JOB_LIMITS);
    for (const kind of ['import', 'evaluate', 'train', 'backtest'] as const) expect(h.queue.limits[kind].concurrency).toBe(1);
    expect(() => new JobQueue({ publish: () => {}, limits: { import: { concurrency: 0 } } })).toThrow(RangeError);
    expect(() => new JobQueue({ publish: () => {}, limits: { import: { maxQueued: -1 } } })).toThrow(/import.maxQueued/);
  });

  it('no limit on jobs: two queues (two engines in one process) do not share slots or ids', () => {
    const one = harness();
    const two = harness();
    expect(one.enqueue().position).toBe(0);
    expect(two.enqueue().position).toBe(0);
    expect(one.started).toEqual(['evaluate-1']);
    expect(two.started).toEqual(['evaluate-1']);
  });
});
