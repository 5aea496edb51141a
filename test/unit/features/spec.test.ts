// The declared spec: unique names in a fixed order, the count, the warm-up, and a model trained on
// another spec refused with a message that says exactly what differs.
import { describe, expect, it } from 'vitest';
import { FeatureEngine } from '../../../src/main/features/feature-engine';
import { FEATURES, FEATURE_COUNT, FEATURE_INDEX, FEATURE_NAMES, FEATURE_SPEC, FEATURE_SPEC_VERSION, FeatureSpecMismatchError, WARMUP_BARS, assertSameSpec } from '../../../src/main/features/spec';
import { calendar, spyMonth } from './month';

const GROUPS = ['returns', 'momentum', 'trend', 'volatility', 'volume', 'session', 'levels', 'daily', 'market'];

function refusal(model: { version: string; names: readonly string[] }): FeatureSpecMismatchError {
  try {
    assertSameSpec(model);
  } catch (e) {
    expect(e).toBeInstanceOf(FeatureSpecMismatchError);
    return e as FeatureSpecMismatchError;
  }
  throw new Error('assertSameSpec accepted a different spec');
}

describe('feature spec', () => {
  it('has 55 features with unique names, in the order of FEATURE_NAMES and FEATURE_INDEX', () => {
    expect(FEATURE_COUNT).toBe(55);
    expect(FEATURES).toHaveLength(FEATURE_COUNT);
    expect(new Set(FEATURE_NAMES).size).toBe(FEATURE_COUNT);
    expect(FEATURE_NAMES).toEqual(FEATURES.map((f) => f.name));
    FEATURE_NAMES.forEach((n, i) => expect(FEATURE_INDEX[n]).toBe(i));
    expect(Object.keys(FEATURE_INDEX)).toHaveLength(FEATURE_COUNT);
  });

  it('declares a group, a documented definition and a whole, non-negative warm-up for every feature', () => {
    for (const f of FEATURES) {
      expect(GROUPS, f.name).toContain(f.group);
      expect(f.doc.length, f.name).toBeGreaterThan(10);
      expect(Number.isInteger(f.warmup) && f.warmup >= 0, f.name).toBe(true);
      expect(f.name).toMatch(/^[a-z][a-z0-9_]*$/);
    }
    // Daily and market context do not count the symbol's own bars (except the 61-bar pairs).
    expect(FEATURES.filter((f) => f.group === 'daily').every((f) => f.warmup === 0)).toBe(true);
  });

  it('identifies itself by version, names and the largest warm-up, and the engine computes it', () => {
    expect(FEATURE_SPEC).toEqual({ version: FEATURE_SPEC_VERSION, names: FEATURE_NAMES, warmup: WARMUP_BARS });
    expect(Object.isFrozen(FEATURE_SPEC)).toBe(true);
    expect(WARMUP_BARS).toBe(Math.max(...FEATURES.map((f) => f.warmup)));
    const engine = new FeatureEngine(calendar);
    expect(engine.spec).toBe(FEATURE_SPEC);
    const row = engine.onBar(spyMonth()[0]!)!;
    expect(row.values).toHaveLength(FEATURE_COUNT);
  });
});

describe('assertSameSpec', () => {
  it('accepts a model trained on this spec', () => {
    expect(() => assertSameSpec({ version: FEATURE_SPEC_VERSION, names: [...FEATURE_NAMES] })).not.toThrow();
  });

  it('refuses another version, naming both', () => {
    const e = refusal({ version: '0.9.0', names: [...FEATURE_NAMES] });
    expect(e.message).toContain('0.9.0');
    expect(e.message).toContain(FEATURE_SPEC_VERSION);
  });

  it('refuses the same names in another order, naming the first place they differ', () => {
    const names = [...FEATURE_NAMES];
    [names[5], names[6]] = [names[6]!, names[5]!];
    const e = refusal({ version: FEATURE_SPEC_VERSION, names });
    expect(e.message).toContain('#5');
    expect(e.message).toContain(`${FEATURE_NAMES[6]} vs ${FEATURE_NAMES[5]}`);
  });

  it('refuses a model with a renamed feature', () => {
    const names = FEATURE_NAMES.map((n) => (n === 'vix_level' ? 'vix_close' : n));
    const e = refusal({ version: FEATURE_SPEC_VERSION, names });
    expect(e.message).toContain(`#${FEATURE_INDEX.vix_level}`);
    expect(e.message).toContain('vix_close vs vix_level');
  });

  it('refuses a model with an extra feature, naming it', () => {
    const e = refusal({ version: FEATURE_SPEC_VERSION, names: [...FEATURE_NAMES, 'news_sentiment'] });
    expect(e.message).toContain(`${FEATURE_COUNT + 1} vs ${FEATURE_COUNT}`);
    expect(e.message).toContain(`#${FEATURE_COUNT}: news_sentiment vs (none)`);
  });

  it('refuses a model missing the last feature, naming it', () => {
    const e = refusal({ version: FEATURE_SPEC_VERSION, names: FEATURE_NAMES.slice(0, -1) });
    expect(e.message).toContain(`${FEATURE_COUNT - 1} vs ${FEATURE_COUNT}`);
    expect(e.message).toContain(`#${FEATURE_COUNT - 1}: (none) vs ${FEATURE_NAMES[FEATURE_COUNT - 1]}`);
  });
});
