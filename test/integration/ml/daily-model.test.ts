// The nightly daily-context retrain end to end on a real SQLite store and a models folder: a planted
// day-to-day momentum is learned, written, registered and promoted; pure noise is not promoted over
// the prior; a retrain no better than the active model leaves the active model in place.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { loadModel } from '../../../src/main/ml/inference/model-loader';
import { MODEL_FILE, SIDECAR_FILE } from '../../../src/main/ml/inference/sidecar';
import { DAILY_FEATURE_SPEC, DAILY_PURPOSE, retrainDailyModel } from '../../../src/main/ml/daily-model';
import { ModelRegistry } from '../../../src/main/ml/registry/registry';
import { openDatabase } from '../../../src/main/store/database';
import { HistoryStore } from '../../../src/main/store/history-store';
import { syntheticDailyBars } from '../../helpers/daily-bars';

const calendar = new NyseCalendar();
const NOW = Date.UTC(2024, 5, 3, 21, 0);

function setup(phi: number) {
  const db = openDatabase(':memory:');
  const store = new HistoryStore(db);
  for (const [i, symbol] of ['AAA', 'BBB', 'CCC', 'DDD'].entries()) {
    store.insertBars('1d', syntheticDailyBars(symbol, { from: '2023-01-03', days: 300, phi, seed: 100 + i, calendar }));
  }
  let t = NOW;
  const registry = new ModelRegistry(db, () => t);
  const modelsDir = mkdtempSync(join(tmpdir(), 'daily-'));
  return { store, registry, modelsDir, now: () => t++ };
}

describe('nightly daily-context retrain', () => {
  it('when the history holds day-to-day momentum then the model is trained, written, registered and promoted', async () => {
    const s = setup(0.6);
    const report = await retrainDailyModel(s);
    expect(report.rows).toBeGreaterThan(1000);
    expect(report.heldOutRows).toBeGreaterThan(150);
    expect(report.activeLogLoss).toBeNull();
    expect(report.heldOutLogLoss).toBeLessThan(report.priorLogLoss - 0.03);
    expect(report.promoted).toBe(true);
    const active = s.registry.active(DAILY_PURPOSE)!;
    expect(active.id).toBe(report.modelId);
    expect(active.specVersion).toBe('daily-1.0.0');
    expect(active.dir).toBe(join(s.modelsDir, report.modelId!));
    expect(existsSync(join(active.dir, MODEL_FILE)) && existsSync(join(active.dir, SIDECAR_FILE))).toBe(true);
    // The importance puts yesterday's return first: that is the planted pattern.
    const top = Object.entries(active.importance).sort((a, b) => b[1] - a[1])[0]![0];
    expect(top).toBe('d_ret_1');
    const loaded = await loadModel(active.dir, DAILY_FEATURE_SPEC, { providers: ['cpu'], intraOpThreads: 1 });
    expect(loaded.ok).toBe(true);
    if (loaded.ok) await loaded.model.session.release();

    // The same history again: the new candidate is judged against the active model and is no better.
    const again = await retrainDailyModel(s);
    expect(again.activeLogLoss).toBeCloseTo(report.heldOutLogLoss, 5);
    expect(again.promoted).toBe(false);
    expect(again.modelId).not.toBe(report.modelId);
    expect(s.registry.active(DAILY_PURPOSE)!.id).toBe(report.modelId);
    expect(s.registry.get(again.modelId!)!.status).toBe('candidate');
  });

  it('when the history is pure noise then the model is registered as a candidate and not promoted over the prior', async () => {
    const s = setup(0);
    // Through the train worker, as on a real multi-year history.
    const report = await retrainDailyModel({ ...s, workerRows: 0 });
    expect(report.modelId).not.toBeNull();
    expect(report.promoted).toBe(false);
    expect(report.heldOutLogLoss).toBeGreaterThan(report.priorLogLoss - 0.002);
    expect(s.registry.active(DAILY_PURPOSE)).toBeNull();
    expect(s.registry.get(report.modelId!)!.status).toBe('candidate');
  });

  it('when there is too little history then nothing is trained', async () => {
    const db = openDatabase(':memory:');
    const store = new HistoryStore(db);
    store.insertBars('1d', syntheticDailyBars('AAA', { from: '2024-01-02', days: 60, phi: 0.6, seed: 1, calendar }));
    const registry = new ModelRegistry(db, () => NOW);
    const report = await retrainDailyModel({ store, registry, modelsDir: mkdtempSync(join(tmpdir(), 'daily-')), now: () => NOW });
    expect(report).toMatchObject({ promoted: false, modelId: null });
    expect(report.message).toMatch(/needs 200/);
    expect(registry.list(DAILY_PURPOSE)).toHaveLength(0);
  });
});
