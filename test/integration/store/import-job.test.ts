// The cockpit's import: a job in a worker thread writing to the engine's SQLite file, with progress
// events, while the engine keeps streaming.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/main/config/config';
import { createEngine } from '../../../src/main/engine/compose';
import type { EventPayload } from '../../../src/shared/contract';
import { SPY_FILE } from '../../helpers/data';

function engineOnFile() {
  const dir = mkdtempSync(join(tmpdir(), 'job-'));
  const engine = createEngine(defaultConfig({ TRADING_DB_PATH: join(dir, 'history.sqlite'), TRADING_SIM_START: '2025-03-03', TRADING_SIM_SPEED: '6000' }), { clockTickMs: 0 });
  const progress: Array<EventPayload<'job.progress'>> = [];
  let bars = 0;
  engine.bus.subscribe('job.progress', (p) => progress.push(p));
  engine.bus.subscribe('market.bar', () => bars++);
  return { engine, progress, dir, bars: () => bars };
}

async function until(pred: () => boolean, ms = 20_000) {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('history.import job', () => {
  it('imports the SPY file in a worker, reports progress and the result, and the engine keeps streaming', async () => {
    const { engine, progress, bars } = engineOnFile();
    await engine.start();
    const r = await engine.dispatch('history.import', { path: SPY_FILE, format: 'ninjatrader', symbol: 'SPY' });
    expect(r).toMatchObject({ ok: true, data: { jobId: 'import-1' } });
    const barsAtStart = bars();
    await until(() => progress.some((p) => p.state !== 'running'));
    const last = progress.at(-1)!;
    expect(last, `the job ended ${last.state}: ${last.message}`).toMatchObject({ jobId: 'import-1', kind: 'import', state: 'done', fraction: 1 });
    expect(last.result).toMatchObject({ inserted: 14_180, sessions: 20 });
    expect(progress.map((p) => p.fraction)).toEqual([...progress.map((p) => p.fraction)].sort((a, b) => a - b));
    expect(progress.length).toBeGreaterThan(3);
    expect(bars()).toBeGreaterThan(barsAtStart); // the synthetic session went on during the import
    const summary = await engine.dispatch('history.summary', {});
    expect(summary).toMatchObject({ ok: true, data: { symbols: [{ symbol: 'SPY', bars: 14_180 }] } });
    const feeds = await engine.dispatch('market.feeds', {});
    expect(feeds).toMatchObject({ ok: true, data: expect.arrayContaining([expect.objectContaining({ id: 'replay', available: true })]) });
    await engine.stop();
  });

  it('a missing file is refused at once; a bad file fails the job with nothing written', async () => {
    const { engine, progress, dir } = engineOnFile();
    expect(await engine.dispatch('history.import', { path: join(dir, 'nope.csv'), format: 'csv', symbol: 'SPY' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('cannot read') },
    });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"not":"polygon"}');
    expect((await engine.dispatch('history.import', { path: bad, format: 'polygon', symbol: 'SPY' })).ok).toBe(true);
    await until(() => progress.some((p) => p.state !== 'running'));
    expect(progress.at(-1)).toMatchObject({ state: 'failed', message: expect.stringContaining('nothing was written') });
    expect(engine.store.countBars('1m')).toBe(0);
    await engine.stop();
  });
});
