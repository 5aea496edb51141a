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
