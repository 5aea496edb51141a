// A delayed retrain's gate must not hide a minute's scoring still in flight: the backtest driver would
// advance past that minute before its scores are published (the ML source then drops them), and
// which minutes were dropped would depend on how fast the training worker was.
import { describe, expect, it } from 'vitest';
import { MessageBus } from '../../../src/main/engine/bus';
import { SimulatedClock } from '../../../src/main/engine/clock';
import { stepClock } from '../../../src/main/backtest/run-backtest';
import { DEFAULT_LEARNING, LearningService, type ClockBarrier } from '../../../src/main/ml/learning-service';

const quiet = { error() {}, warn() {}, info() {}, debug() {}, child() { return quiet; } } as never;

describe('learning barrier during a training delay', () => {
  it('keeps holding the clock for a pending minute scoring while a retrain waits for its delay', () => {
    const clock = new SimulatedClock(Date.UTC(2011, 0, 3, 15, 0));
    const svc = new LearningService(new MessageBus() as never, clock, {} as never, {} as never, quiet, { ...DEFAULT_LEARNING, modelsDir: '/tmp/x', activationDelayMs: 2 * 60_000 }, () => {});
    const s = svc as unknown as { delayDecision(at: number): { trained(j: (() => Promise<void>) | null): void }; trackScoring(p: Promise<void>): void };
    // A minute's scoring is in flight (onnxruntime resolves it on a later setImmediate).
    let finish!: () => void;
    s.trackScoring(new Promise<void>((r) => (finish = r)));
    expect(svc.barrier()!.until).toBe(clock.now() + 1); // no retrain pending: the driver waits for it
    // A retrain started now, judged in 2 minutes.
    const d = s.delayDecision(clock.now() + 2 * 60_000);
    // Same pending scoring, but the barrier now lets the clock run to the gate (2 minutes ahead).
    expect(svc.barrier()!.until).toBe(clock.now() + 1);
    d.trained(async () => {});
    expect(svc.barrier()!.until).toBe(clock.now() + 1);
    finish();
  });
});

/** The backtest's driver, step by step, up to `end`. */
async function drive(clock: SimulatedClock, barrier: () => ClockBarrier | null, end: number): Promise<void> {
  for (;;) {
    const next = clock.nextTimerAt();
    if (next === null || next > end) break;
    await stepClock(clock, barrier);
  }
}

describe('driver and scoring during a training delay', () => {
  it('publishes each minute scoring at its own bar time (as it does with no retrain pending)', async () => {
    const t0 = Date.UTC(2011, 0, 3, 15, 0);
    const clock = new SimulatedClock(t0);
    const svc = new LearningService(new MessageBus() as never, clock, {} as never, {} as never, quiet, { ...DEFAULT_LEARNING, modelsDir: '/tmp/x', activationDelayMs: 5 * 60_000 }, () => {});
    const s = svc as unknown as { delayDecision(at: number): { trained(j: (() => Promise<void>) | null): void }; trackScoring(p: Promise<void>): void };
    const lateBy: number[] = [];
    // Bars every minute; each bar's scoring is started in a microtask and resolves on a later
    // setImmediate, as onnxruntime-node's session.run does (backend.js: setImmediate(() => resolve(run()))).
    for (let m = 1; m <= 10; m++) {
      const at = t0 + m * 60_000;
      clock.at(at, () => {
        queueMicrotask(() => s.trackScoring(new Promise<void>((r) => setImmediate(() => { lateBy.push(clock.now() - at); r(); }))));
        if (m === 3) {
          // A retrain starts at minute 3; its worker has already finished (a fast machine / small window).
          const d = s.delayDecision(at + 5 * 60_000);
          d.trained(async () => {});
        }
      });
    }
    await drive(clock, () => svc.barrier(), t0 + 10 * 60_000);
    // Every minute's scores published at the bar's own time: none late.
    expect(lateBy).toEqual(new Array(lateBy.length).fill(0));
  });
});

describe('driver and scoring: the worker speed changes which minutes are late', () => {
  const runWith = async (workerMs: number): Promise<number[]> => {
    const t0 = Date.UTC(2011, 0, 3, 15, 0);
    const clock = new SimulatedClock(t0);
    const svc = new LearningService(new MessageBus() as never, clock, {} as never, {} as never, quiet, { ...DEFAULT_LEARNING, modelsDir: '/tmp/x', activationDelayMs: 5 * 60_000 }, () => {});
    const s = svc as unknown as { delayDecision(at: number): { trained(j: (() => Promise<void>) | null): void }; trackScoring(p: Promise<void>): void };
    const late: number[] = [];
    for (let m = 1; m <= 10; m++) {
      const at = t0 + m * 60_000;
      clock.at(at, () => {
        queueMicrotask(() => s.trackScoring(new Promise<void>((r) => setImmediate(() => { if (clock.now() !== at) late.push(m); r(); }))));
        if (m === 3) {
          const d = s.delayDecision(at + 5 * 60_000);
          setTimeout(() => d.trained(async () => {}), workerMs);
        }
      });
    }
    await drive(clock, () => svc.barrier(), t0 + 10 * 60_000);
    return late;
  };
  it('gives the same run for a fast and a slow training worker', async () => {
    const fast = await runWith(0);
    const slow = await runWith(200);
    expect({ fast }).toEqual({ fast: slow });
  });
});
