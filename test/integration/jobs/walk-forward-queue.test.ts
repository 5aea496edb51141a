// Issue 12, "No limit on jobs", through the engine's dispatch: walk-forward requests past the one
// running wait in the engine's job queue (shown 'queued' with their place), one more than the queue
// holds is refused naming the limit, and a queued or running one can be canceled.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/main/config/config';
import { createEngine, type Engine } from '../../../src/main/app/compose';
import { JobProgressSchema, type EventPayload, type Result } from '../../../src/shared/contract';

type Progress = EventPayload<'job.progress'>;
const TERMINAL = new Set<Progress['state']>(['done', 'failed', 'canceled']);
const request = { symbols: ['SPY'], from: '2011-01-03', to: '2011-01-31' };

let engine: Engine | null = null;
afterEach(async () => {
  await engine?.stop();
  engine = null;
});

/** An engine on a history file (a walk-forward refuses ':memory:'), not started: the queue needs no feed. */
function engineOnFile() {
  const dir = mkdtempSync(join(tmpdir(), 'jobs-'));
  const e = createEngine(defaultConfig({ TRADING_DB_PATH: join(dir, 'history.sqlite'), TRADING_SIM_START: '2025-03-03' }), { clockTickMs: 0 });
  engine = e;
  const progress: Progress[] = [];
  const waiters: Array<() => void> = [];
  e.bus.subscribe('job.progress', (p) => {
    progress.push(p);
    for (const w of waiters.splice(0)) w();
  });
  /** Resolves once `pred` holds over the progress seen so far (checked at every job.progress). */
  const until = (pred: () => boolean): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (pred()) resolve();
        else waiters.push(check);
      };
      check();
    });
  const lastOf = (jobId: string): Progress | undefined => progress.filter((p) => p.jobId === jobId).at(-1);
  return { engine: e, progress, until, lastOf };
}

function jobIdOf(r: Result<unknown>): string {
  if (!r.ok) throw new Error(`refused: ${r.error.code} ${r.error.message}`);
  return (r.data as { jobId: string }).jobId;
}

/** The most evaluate jobs running at the same time, from their progress. */
function maxConcurrent(progress: readonly Progress[]): number {
  const running = new Set<string>();
  let max = 0;
  for (const p of progress) {
    if (p.state === 'running') running.add(p.jobId);
    else running.delete(p.jobId);
    max = Math.max(max, running.size);
  }
  return max;
}

describe('walk-forward jobs through the engine queue (issue 12: no limit on jobs)', () => {
  it('no limit on jobs: the 6th walk-forward is refused while the first runs, the others show queued with their positions', async () => {
    const { engine, progress, lastOf } = engineOnFile();
    // The six requests reach the handler back to back, before any worker can report.
    const results = await Promise.all(Array.from({ length: 6 }, () => engine.dispatch('models.walkForward', request)));
    const accepted = results.slice(0, 5).map(jobIdOf);
    expect(new Set(accepted).size).toBe(5);
    expect(results[5]).toMatchObject({
      ok: false,
      error: { code: 'REFUSED', message: expect.stringMatching(/evaluate.*1 running and 4 queued/) },
    });
    const [first, ...waiting] = accepted;
    expect(lastOf(first!)).toMatchObject({ kind: 'evaluate', state: 'running' });
    waiting.forEach((jobId, i) => {
      expect(lastOf(jobId)).toMatchObject({ kind: 'evaluate', state: 'queued', position: i + 1, message: expect.stringContaining(`queued (#${i + 1})`) });
    });
    const list = await engine.dispatch('jobs.list', {});
    expect(list).toMatchObject({
      ok: true,
      data: {
        jobs: [{ jobId: first, state: 'running', position: 0 }, ...waiting.map((jobId, i) => ({ jobId, kind: 'evaluate', state: 'queued', position: i + 1 }))],
        limits: { evaluate: { concurrency: 1, maxQueued: 4 } },
      },
    });

    // Canceling the 2nd in line moves the ones behind it up.
    expect(await engine.dispatch('jobs.cancel', { jobId: waiting[1]! })).toEqual({ ok: true, data: { jobId: waiting[1], state: 'canceled' } });
    expect(lastOf(waiting[1]!)).toMatchObject({ state: 'canceled' });
    expect(lastOf(waiting[2]!)).toMatchObject({ state: 'queued', position: 2 });
    expect(lastOf(waiting[3]!)).toMatchObject({ state: 'queued', position: 3 });
    expect(lastOf(waiting[0]!)).toMatchObject({ state: 'queued', position: 1 });
    // A slot is free in the queue again: one more request is taken (and waits).
    const again = jobIdOf(await engine.dispatch('models.walkForward', request));
    expect(lastOf(again)).toMatchObject({ state: 'queued', position: 4 });
    expect(await engine.dispatch('jobs.cancel', { jobId: 'evaluate-999' })).toMatchObject({ ok: false, error: { code: 'REFUSED' } });

    // The engine's stop cancels the waiting ones and the running one, and waits for its worker to exit.
    await engine.stop();
    for (const jobId of [...accepted, again]) {
      expect(TERMINAL.has(lastOf(jobId)!.state), `${jobId} ended ${lastOf(jobId)!.state}`).toBe(true);
    }
    expect(lastOf(waiting[0]!)).toMatchObject({ state: 'canceled' });
    expect(maxConcurrent(progress)).toBe(1);
    // Every event, 'queued' and 'canceled' ones included, is what the contract lets through.
    for (const p of progress) expect(JobProgressSchema.safeParse(p).success, JSON.stringify(p)).toBe(true);
  });

  it('no limit on jobs: a running walk-forward is canceled through jobs.cancel and the next in line starts', async () => {
    const { engine, progress, until, lastOf } = engineOnFile();
    const a = jobIdOf(await engine.dispatch('models.walkForward', request));
    const b = jobIdOf(await engine.dispatch('models.walkForward', request));
    expect(lastOf(b)).toMatchObject({ state: 'queued', position: 1 });
    expect(await engine.dispatch('jobs.cancel', { jobId: a })).toEqual({ ok: true, data: { jobId: a, state: 'canceling' } });
    expect(lastOf(a)).toMatchObject({ state: 'canceled' });
    // Its worker exits, the slot frees, and the waiting one starts.
    await until(() => progress.some((p) => p.jobId === b && p.state === 'running'));
    expect(maxConcurrent(progress)).toBe(1);
    await engine.stop();
    expect(TERMINAL.has(lastOf(b)!.state)).toBe(true);
  }, 60_000);
});
