import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_WATCHLIST, loadConfig, secretsOf } from '../../../src/main/config/config';

function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('with no variables gives the simulated default with at least 8 liquid symbols', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('SIMULATED');
    expect(config.watchlist.length).toBeGreaterThanOrEqual(8);
    expect(config.watchlist).toEqual([...DEFAULT_WATCHLIST]);
    expect(config.sim.speed).toBeGreaterThan(1);
    expect(config.headless.host).toBe('127.0.0.1');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('an invalid value names the variable, its value and what is allowed', () => {
    const error = issuesOf(() => loadConfig({ TRADING_SIM_SPEED: 'fast' }));
    expect(error.message).toContain('TRADING_SIM_SPEED="fast"');
    expect(error.message).toMatch(/allowed .*number from 1 to 1000000/);
    expect(error.issues).toHaveLength(1);
  });

  it('reports every bad variable at once', () => {
    const error = issuesOf(() => loadConfig({ TRADING_MODE: 'yolo', TRADING_HEADLESS_PORT: '70000', TRADING_WATCHLIST: 'spy,SPY' }));
    expect(error.issues.map((i) => i.variable).sort()).toEqual(['TRADING_HEADLESS_PORT', 'TRADING_MODE', 'TRADING_WATCHLIST']);
    expect(error.message).toContain('simulated | paper | live');
  });

  it('an unknown TRADING_ variable (a typo) is refused rather than ignored', () => {
    const error = issuesOf(() => loadConfig({ TRADING_SIM_SPEEED: '10' }));
    expect(error.message).toContain('TRADING_SIM_SPEEED');
    expect(error.message).toContain('unknown variable');
  });

  it('ignores variables without the TRADING_ prefix', () => {
    expect(loadConfig({ PATH: '/usr/bin', HOME: '/root' }).mode).toBe('SIMULATED');
  });

  it('paper or live mode without Alpaca keys is refused', () => {
    const error = issuesOf(() => loadConfig({ TRADING_MODE: 'paper' }));
    expect(error.message).toContain('TRADING_MODE="paper"');
    expect(error.message).toContain('TRADING_ALPACA_KEY_ID');
  });

  it('PAPER is the default whenever Alpaca keys exist, on Alpaca data; LIVE only when asked', () => {
    const keys = { TRADING_ALPACA_KEY_ID: 'PKTEST1', TRADING_ALPACA_SECRET_KEY: 'secret-1' };
    const paper = loadConfig(keys);
    expect(paper.mode).toBe('PAPER');
    expect(paper.feed).toBe('alpaca');
    expect(loadConfig({ ...keys, TRADING_MODE: 'live' }).mode).toBe('LIVE');
    expect(loadConfig({ ...keys, TRADING_MODE: 'simulated' })).toMatchObject({ mode: 'SIMULATED', feed: 'synthetic' });
  });

  it('paper or live on simulated or replayed prices is refused, naming the feed', () => {
    const keys = { TRADING_ALPACA_KEY_ID: 'PKTEST1', TRADING_ALPACA_SECRET_KEY: 'secret-1' };
    for (const feed of ['synthetic', 'replay']) {
      const error = issuesOf(() => loadConfig({ ...keys, TRADING_MODE: 'paper', TRADING_FEED: feed, TRADING_REPLAY_FROM: '2011-01-03', TRADING_REPLAY_TO: '2011-01-31' }));
      expect(error.issues.map((i) => i.variable)).toEqual(['TRADING_FEED']);
      expect(error.message).toContain('alpaca or polygon when TRADING_MODE=paper');
    }
  });

  it('risk limits and exits come from variables; nonsense combinations are refused by name', () => {
    const c = loadConfig({
      TRADING_BANKROLL: '50000',
      TRADING_DAILY_POSITION_LIMIT: '8000',
      TRADING_DAILY_RISK_PCT: '5',
      TRADING_MAX_ORDER_QTY: '300',
      TRADING_FLATTEN_MINUTES: '10',
      TRADING_ENTRY_CUTOFF_MINUTES: '20',
      TRADING_MAX_DAILY_LOSS: '750',
      TRADING_EXIT_PEAK_PCT: '0.5',
      TRADING_EXIT_ML_THRESHOLD: '0',
    });
    expect(c.risk).toEqual({ bankroll: 50_000, dailyPositionLimit: 8_000, dailyRiskPct: 5, maxOrderQty: 300, flattenMinutesBeforeClose: 10, entryCutoffMinutes: 20 });
    expect(c.maxDailyLoss).toBe(750);
    expect(c.exits).toEqual({ peakExitPct: 0.5, trailAmount: 0, maxBarsHeld: 0, mlExitThreshold: 0 });
    expect(loadConfig({}).exits.peakExitPct).toBe(1);

    expect(issuesOf(() => loadConfig({ TRADING_SYMBOL_CAP_PCT: '60' })).issues.map((i) => i.variable)).toEqual(['TRADING_SYMBOL_CAP_PCT']);
    expect(issuesOf(() => loadConfig({ TRADING_MAX_DAILY_LOSS: '30000' })).message).toContain('no larger than the bankroll (20000)');
    expect(issuesOf(() => loadConfig({ TRADING_ENTRY_CUTOFF_MINUTES: '3', TRADING_FLATTEN_MINUTES: '5' })).message).toContain('entries stop before the flatten');
    expect(issuesOf(() => loadConfig({ TRADING_MAX_ORDER_QTY: '10.5' })).issues.map((i) => i.variable)).toEqual(['TRADING_MAX_ORDER_QTY']);
    expect(issuesOf(() => loadConfig({ TRADING_ALPACA_TRADING_URL: 'ftp://x' })).issues.map((i) => i.variable)).toEqual(['TRADING_ALPACA_TRADING_URL']);
  });

  it('a secret never shows its value: not in errors, JSON, string or inspect', () => {
    const error = issuesOf(() => loadConfig({ TRADING_ALPACA_KEY_ID: 'PKSECRETVALUE123' }));
    expect(error.message).not.toContain('PKSECRETVALUE123');
    const config = loadConfig({ TRADING_ALPACA_KEY_ID: 'PKSECRETVALUE123', TRADING_ALPACA_SECRET_KEY: 'sk-very-secret-456' });
    const printed = [JSON.stringify(config), String(config.alpaca?.keyId), inspect(config, { depth: 5 })].join('\n');
    expect(printed).not.toContain('PKSECRETVALUE123');
    expect(printed).not.toContain('sk-very-secret-456');
    expect(printed).toContain('[REDACTED]');
    expect(config.alpaca?.keyId.reveal()).toBe('PKSECRETVALUE123');
    expect(secretsOf(config)).toEqual(['PKSECRETVALUE123', 'sk-very-secret-456']);
  });

  it('overrides win over the environment', () => {
    expect(loadConfig({ TRADING_SIM_SPEED: '10' }, { TRADING_SIM_SPEED: '600' }).sim.speed).toBe(600);
  });
});
