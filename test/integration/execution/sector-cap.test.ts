// The sector cap binds in the running engine: the bundled table puts AAPL, MSFT and NVDA in
// Information Technology, so a third tech name past the cap is refused while a consumer name passes.
import { afterEach, describe, expect, it } from 'vitest';
import { manualEngine, type ManualEngine } from '../../helpers/engine';

let current: ManualEngine | null = null;
afterEach(async () => {
  await current?.engine.stop();
  current = null;
});

describe('sector cap with the bundled sector table', () => {
  it('when two tech names fill the Information Technology cap then a third is denied by sectorCap, and AMZN (Consumer Discretionary) still passes', async () => {
    // Bankroll $20 000: symbol cap 5% = $1 000, sector cap 10% = $2 000.
    const m = manualEngine({ TRADING_WATCHLIST: 'SPY,AAPL,MSFT,NVDA,AMZN', TRADING_SYMBOL_CAP_PCT: '5', TRADING_SECTOR_CAP_PCT: '10' });
    current = m;
    await m.engine.start();
    m.minutes(5);
    const last = (s: string): number => m.engine.cache.quote(s)!.last;
    const buy = (symbol: string, dollars: number) => {
      // Valued at its marketable limit (0.5% through the last trade).
      const qty = Math.max(1, Math.floor(dollars / (last(symbol) * 1.005)));
      return m.engine.risk.submitEntry({ symbol, side: 'buy', qty, stopPrice: Math.round(last(symbol) * 0.99 * 100) / 100, reason: 'sector cap test' });
    };
    expect(await buy('AAPL', 950)).toMatchObject({ ok: true });
    expect(await buy('MSFT', 950)).toMatchObject({ ok: true });
    m.minutes(1);
    const nvda = await buy('NVDA', 400);
    expect(nvda).toMatchObject({ ok: false, check: 'sectorCap' });
    expect(nvda.ok ? '' : nvda.reason).toContain('Information Technology');
    expect(await buy('AMZN', 400)).toMatchObject({ ok: true });
  });
});
