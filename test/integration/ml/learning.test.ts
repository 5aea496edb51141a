// Continuous learning in a running engine: a scheduled retrain runs in a worker while bars keep
// flowing, the first model is promoted (there is nothing to beat), the active model then scores
// every minute's bars in one call, and a candidate that does not beat it stays a candidate.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../src/shared/contract';
import { manualEngine } from '../../helpers/engine';

async function until(pred: () => boolean, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('in-session learning', () => {
  it('retrains in a worker on schedule, promotes, scores, and keeps a weaker candidate as a candidate', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'learn-'));
    const m = manualEngine({ TRADING_RETRAIN_MINUTES: '15', TRADING_MIN_TRAIN_ROWS: '1000', TRADING_DATA_DIR: dataDir, TRADING_WATCHLIST: 'SPY,QQQ,AAPL,MSFT,NVDA,AMZN,META,GOOGL' });
    const events: Array<EventPayload<'models.event'>> = [];
    const scores: number[] = [];
    m.engine.bus.subscribe('models.event', (e) => events.push(e));
    m.engine.bus.subscribe('models.scores', (s) => scores.push(s.symbols.length));
    await m.engine.start();
    m.minutes(135); // ≥ 1000 labelled rows by the 135th minute's retrain
    await until(() => m.engine.learning.isTraining || events.some((e) => e.kind === 'promoted'));
    // The engine keeps streaming while the worker trains.
    const before = m.bars.length;
    m.minutes(2);
    expect(m.bars.length).toBe(before + 2 * 8);
    await until(() => events.some((e) => e.kind === 'promoted' || e.kind === 'failed' || e.kind === 'refused'));
    const promoted = events.find((e) => e.kind === 'promoted');
    expect(promoted, JSON.stringify(events)).toBeDefined();
    expect(m.engine.registry.active('intraday-direction')?.id).toBe(promoted!.modelId);
    // The promoted model scores all 8 symbols of a minute in one batched call.
    m.minutes(1);
    await until(() => scores.length > 0);
    expect(scores.at(-1)).toBe(8);
    const list = await m.engine.dispatch('models.list', {});
    expect(list).toMatchObject({ ok: true, data: { inference: { activeModel: promoted!.modelId, provider: 'cpu' } } });
    // An ML signal's reasons: the top SHAP features of the active model's score for that row.
    let lastRow: Float64Array | null = null;
    m.engine.bus.subscribe('features.row', (r) => (lastRow = Float64Array.from(r.values)));
    m.minutes(1);
    const why = m.engine.learning.explainRow(lastRow!);
    expect(why).toHaveLength(3);
    for (const w of why) expect(w).toMatch(/^[a-z0-9_]+ [+−]\d+\.\d{3} \(SHAP\)$/);

    // Force another retrain: the result is either promoted (beat by the margin) or kept as a candidate.
    const r = await m.engine.dispatch('models.train', { reason: 'test' });
    expect(r.ok).toBe(true);
    await until(() => events.filter((e) => e.kind === 'promoted' || e.kind === 'candidate').length >= 2);
    const second = events.filter((e) => e.kind === 'promoted' || e.kind === 'candidate')[1]!;
    expect(second.message).toMatch(/held-out log loss/);
    expect(m.engine.registry.list('intraday-direction')).toHaveLength(2);
    await m.engine.stop();
  }, 120_000);

  it('refuses to train without enough labelled rows, with the reason', async () => {
    const m = manualEngine({ TRADING_MIN_TRAIN_ROWS: '5000' });
    await m.engine.start();
    m.minutes(10);
    expect(await m.engine.dispatch('models.train', {})).toMatchObject({ ok: false, error: { code: 'REFUSED', message: expect.stringContaining('training needs 5000') } });
    await m.engine.stop();
  });
});

describe('the ensemble', () => {
  it('keeps the replaced model voting, weights re-estimated from held-out log loss, summing to 1', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ens-'));
    const m = manualEngine({ TRADING_RETRAIN_MINUTES: '1440', TRADING_MIN_TRAIN_ROWS: '1000', TRADING_DATA_DIR: dataDir, TRADING_WATCHLIST: 'SPY,QQQ,AAPL,MSFT,NVDA,AMZN,META,GOOGL' });
    const events: Array<EventPayload<'models.event'>> = [];
    const scored: number[] = [];
    m.engine.bus.subscribe('models.event', (e) => events.push(e));
    m.engine.bus.subscribe('models.scores', (s) => scored.push(s.probUp.length));
    await m.engine.start();
    m.minutes(140);
    for (let attempt = 0; attempt < 8 && events.filter((e) => e.kind === 'promoted').length < 2; attempt++) {
      const done = events.filter((e) => e.kind === 'promoted' || e.kind === 'candidate').length;
      expect((await m.engine.dispatch('models.train', { reason: `attempt ${attempt}` })).ok).toBe(true);
      await until(() => events.filter((e) => e.kind === 'promoted' || e.kind === 'candidate').length > done);
      m.minutes(60);
    }
    expect(events.filter((e) => e.kind === 'promoted').length, events.map((e) => e.message).join('\n')).toBeGreaterThanOrEqual(2);
    const list = await m.engine.dispatch('models.list', {});
    const ensemble = (list.ok ? (list.data as { learning: { ensemble?: Array<{ modelId: string; weight: number }> } }).learning.ensemble : undefined) ?? [];
    expect(ensemble.length).toBeGreaterThanOrEqual(2);
    expect(ensemble[0]!.modelId).toBe(m.engine.registry.active('intraday-direction')!.id);
    expect(ensemble.reduce((s, e) => s + e.weight, 0)).toBeCloseTo(1, 9);
    m.minutes(1);
    await until(() => scored.length > 0);
    expect(scored.at(-1)).toBe(8);
    await m.engine.stop();
  }, 180_000);
});
