// Features inside a running engine: rows on the bus for every streamed bar, overlays for the chart.
import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../src/shared/contract';
import { FEATURE_INDEX } from '../../../src/main/features/spec';
import { manualEngine } from '../../helpers/engine';

describe('the engine computes features live', () => {
  it('warms on the prior session and publishes a feature row and an overlay for every streamed bar', async () => {
    const m = manualEngine({ TRADING_WATCHLIST: 'SPY,QQQ,AAPL' });
    const rows: Array<{ symbol: string; start: number; rsi: number; corr: number }> = [];
    const overlays: Array<EventPayload<'market.overlay'>> = [];
    m.engine.bus.subscribe('features.row', (r) => rows.push({ symbol: r.symbol, start: r.start, rsi: r.values[FEATURE_INDEX.rsi_14!]!, corr: r.values[FEATURE_INDEX.corr_spy_60!]! }));
    m.engine.bus.subscribe('market.overlay', (o) => overlays.push(o));
    await m.engine.start();
    m.minutes(30);
    expect(rows).toHaveLength(90);
    expect(overlays).toHaveLength(90);
    // The prior session warmed the engine: RSI(14) and the 60-minute correlation exist at the first bar.
    expect(rows[0]!.rsi).not.toBeNaN();
    expect(rows.find((r) => r.symbol === 'QQQ')!.corr).not.toBeNaN();
    expect(overlays[0]!.values.vwap).toBeGreaterThan(0);
    const hist = await m.engine.dispatch('market.overlays', { symbol: 'SPY', limit: 5000 });
    expect(hist).toMatchObject({ ok: true, data: { symbol: 'SPY' } });
    if (hist.ok) expect((hist.data as { points: unknown[] }).points).toHaveLength(390 + 30);
    await m.engine.stop();
  });
});
