// Issue 12: the model registry prunes through the learning service's own retrain loop, not only when
// ModelRegistry.prune is called by hand: rows and model folders of a purpose stay bounded however
// many retrains run (the active model, its rollback target and the newest `keep` others).
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../src/shared/contract';
import { INTRADAY_PURPOSE } from '../../../src/main/ml/learning-service';
import { manualEngine } from '../../helpers/engine';
import { nextOutcome } from '../../helpers/model-events';

describe('model registry retention through the learning service (issue 12)', () => {
  it('the model registry never prunes: N retrains through the learning service leave at most keep+2 models and folders (+1 while a third ensemble member still votes)', async () => {
    const KEEP = 1;
    const RETRAINS = 6;
    const dataDir = mkdtempSync(join(tmpdir(), 'prune-'));
    const m = manualEngine({
      TRADING_RETRAIN_MINUTES: '1440',
      TRADING_MIN_TRAIN_ROWS: '300',
      TRADING_KEEP_MODELS: String(KEEP),
      TRADING_DATA_DIR: dataDir,
      TRADING_WATCHLIST: 'SPY,QQQ,AAPL,MSFT',
    });
    const modelsDir = join(dataDir, 'models');
    const events: Array<EventPayload<'models.event'>> = [];
    m.engine.bus.subscribe('models.event', (e) => events.push(e));
    const finished = (): number => events.filter((e) => e.kind === 'promoted' || e.kind === 'candidate' || e.kind === 'refused' || e.kind === 'failed').length;
    /** Folders under the models folder, less those of other purposes' models (the daily model). */
    const folders = (): string[] => {
      if (!existsSync(modelsDir)) return [];
      const others = new Set(m.engine.registry.list().filter((r) => r.purpose !== INTRADAY_PURPOSE).map((r) => r.dir));
      return readdirSync(modelsDir).filter((name) => statSync(join(modelsDir, name)).isDirectory() && !others.has(join(modelsDir, name)));
    };
    await m.engine.start();
    try {
      m.minutes(120);
      const seen = new Set<string>();
      for (let i = 0; i < RETRAINS; i++) {
        const done = finished();
        const outcome = nextOutcome(m.engine);
        const r = await m.engine.dispatch('models.train', { reason: `retention ${i}` });
        expect(r.ok, JSON.stringify(r)).toBe(true);
        await outcome;
        expect(finished()).toBe(done + 1);
        expect(m.engine.learning.isTraining).toBe(false);
        const last = events.filter((e) => ['promoted', 'candidate', 'refused', 'failed'].includes(e.kind)).at(-1)!;
        expect(['promoted', 'candidate'], last.message).toContain(last.kind);
        if (last.modelId) seen.add(last.modelId);
        const rows = m.engine.registry.list(INTRADAY_PURPOSE);
        // Kept: the active model, its rollback target, the newest KEEP others, and an ensemble member that is
        // none of these (the ensemble holds the active model and up to two predecessors, all still scored).
        const active = m.engine.registry.active(INTRADAY_PURPOSE);
        const ensemble = (m.engine.learning.schedule().ensemble ?? []).map((e) => e.modelId);
        const stillVoting = ensemble.filter((id) => id !== active?.id && id !== active?.parentId).length;
        expect(stillVoting).toBeLessThanOrEqual(1);
        const bound = KEEP + 2 + stillVoting;
        const listing = rows.map((r) => `${r.id}:${r.status}${ensemble.includes(r.id) ? '(ensemble)' : ''}`).join(' ');
        expect(rows.length, `after retrain ${i + 1}: ${listing}`).toBeLessThanOrEqual(bound);
        expect(folders().length, `folders after retrain ${i + 1}: ${folders().join(', ')}`).toBeLessThanOrEqual(bound);
        // Every row's folder is there; no folder is left without its row.
        expect(new Set(folders().map((f) => join(modelsDir, f)))).toEqual(new Set(rows.map((r) => r.dir)));
        m.minutes(30);
      }
      // More models were trained than kept: the bound came from pruning, not from too few retrains.
      expect(seen.size).toBe(RETRAINS);
      expect(seen.size).toBeGreaterThan(KEEP + 2);
      expect(m.engine.registry.list(INTRADAY_PURPOSE).length).toBeLessThan(RETRAINS);
      const active = m.engine.registry.active(INTRADAY_PURPOSE);
      expect(active).not.toBeNull();
      expect(existsSync(active!.dir)).toBe(true);
    } finally {
      await m.engine.stop();
    }
  }, 240_000);
});
