import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fusedConfidence, fuseProposals, resolveFusionConfig, toSignalFields, type LiveSignal } from '../../../src/main/signals/fusion';
import type { Proposal } from '../../../src/main/signals/types';
import { at } from './rows';

function proposal(o: Partial<Proposal> & Pick<Proposal, 'source'>): Proposal {
  const side = o.side ?? 'long';
  const entry = o.entryPrice ?? 100;
  return { symbol: 'SPY', side, confidence: 0.6, reasons: [`${o.source} fired`], entryPrice: entry, stopPrice: side === 'long' ? entry - 1 : entry + 1, targetPrice: side === 'long' ? entry + 2 : entry - 2, start: at(0), ...o };
}

const now = at(1);

describe('fusion', () => {
  it('when two sources agree on a symbol and side then one signal carries both, more confident than either', () => {
    const { created, updated } = fuseProposals([proposal({ source: 'orb', confidence: 0.6 }), proposal({ source: 'ml', confidence: 0.5, modelVersion: 'm1' })], [], { now });
    expect(updated).toEqual([]);
    expect(created).toHaveLength(1);
    const s = created[0]!;
    expect(s.sources).toEqual(['ml', 'orb']);
    expect(s.confidence).toBeCloseTo(1 - 0.4 * 0.5, 10);
    expect(s.reasons).toEqual(['ml fired', 'orb fired']);
    expect(s).toMatchObject({ symbol: 'SPY', side: 'long', conflictsWith: null, modelVersion: 'm1', createdAt: now, expiresAt: at(1) + 5 * 60_000 });
  });

  it('weights scale each source: a source at weight 0.5 counts half', () => {
    const config = resolveFusionConfig({ weights: { ml: 0.5 } });
    const s = fuseProposals([proposal({ source: 'ml', confidence: 0.8 })], [], { now, config }).created[0]!;
    expect(s.confidence).toBeCloseTo(0.4, 10);
    expect(() => resolveFusionConfig({ weights: { ml: 1.5 } })).toThrow(/weight/);
  });

  it('when a live pending signal exists then a newer proposal refreshes it under the same id instead of duplicating', () => {
    const first = fuseProposals([proposal({ source: 'orb', confidence: 0.6 })], [], { now }).created[0]!;
    const live: LiveSignal[] = [{ ...first, status: 'pending' }];
    const later = at(3);
    const r = fuseProposals([proposal({ source: 'ml', confidence: 0.7, start: at(2), entryPrice: 101 }), proposal({ source: 'orb', confidence: 0.5, start: at(2), entryPrice: 101 })], live, { now: later });
    expect(r.created).toEqual([]);
    expect(r.updated).toHaveLength(1);
    const s = r.updated[0]!;
    expect(s.id).toBe(first.id);
    expect(s.sources).toEqual(['ml', 'orb']);
    expect(s.confidence).toBeCloseTo(1 - 0.3 * 0.5, 10); // orb's newer 0.5 replaces its 0.6
    expect(s.entryPrice).toBe(101);
    expect(s.stopPrice).toBe(100); // from ml, the stronger source of the newest bar
    expect(s.expiresAt).toBe(at(3) + 5 * 60_000);
    expect(s.createdAt).toBe(first.createdAt);
  });

  it('when the live signal is approved or expired then a new proposal starts a new one', () => {
    const first = fuseProposals([proposal({ source: 'orb' })], [], { now }).created[0]!;
    const approved = fuseProposals([proposal({ source: 'ml', start: at(2) })], [{ ...first, status: 'approved' }], { now: at(3) });
    expect(approved.created).toHaveLength(1);
    expect(approved.created[0]!.id).not.toBe(first.id);
    const expired = fuseProposals([proposal({ source: 'ml', start: at(20) })], [first], { now: at(21) });
    expect(expired.created).toHaveLength(1);
  });

  it('when a long and a short meet on one symbol then both are kept and point at each other', () => {
    const { created } = fuseProposals([proposal({ source: 'orb', side: 'long' }), proposal({ source: 'vwap_reversion', side: 'short' })], [], { now });
    expect(created).toHaveLength(2);
    const [a, b] = created as [typeof created[0], typeof created[0]];
    expect(a.conflictsWith).toBe(b.id);
    expect(b.conflictsWith).toBe(a.id);
  });

  it('when a short arrives against a live long then the long is updated with the conflict; when the short is gone it is cleared', () => {
    const long = fuseProposals([proposal({ source: 'orb' })], [], { now }).created[0]!;
    const r = fuseProposals([proposal({ source: 'ml', side: 'short', start: at(1) })], [long], { now: at(2) });
    expect(r.created[0]!.conflictsWith).toBe(long.id);
    expect(r.updated.map((s) => [s.id, s.conflictsWith])).toEqual([[long.id, r.created[0]!.id]]);
    const conflicted = r.updated[0]!;
    const cleared = fuseProposals([], [conflicted, { ...r.created[0]!, status: 'vetoed' }], { now: at(3) });
    expect(cleared.updated.map((s) => s.conflictsWith)).toEqual([null]);
  });

  it('does not touch the live set it was given, and leaves unchanged signals out of updated', () => {
    const first = fuseProposals([proposal({ source: 'orb' })], [], { now }).created[0]!;
    const frozen = JSON.stringify(first);
    const r = fuseProposals([proposal({ source: 'orb', symbol: 'QQQ' })], [first], { now });
    expect(JSON.stringify(first)).toBe(frozen);
    expect(r.updated).toEqual([]);
    expect(Object.keys(toSignalFields(first))).not.toContain('contributions');
  });

  it('refuses a proposal whose stop is on the wrong side', () => {
    expect(() => fuseProposals([proposal({ source: 'orb', stopPrice: 101 })], [], { now })).toThrow(/stop/);
  });

  it('fused confidence stays in 0..1 and is never below the strongest weighted source', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 6 }), (xs) => {
        const weights = Object.fromEntries(xs.map(([w], i) => [`s${i}`, w]));
        const contributions = Object.fromEntries(xs.map(([, c], i) => [`s${i}`, { confidence: c }]));
        const conf = fusedConfidence(contributions, resolveFusionConfig({ weights }));
        expect(conf).toBeGreaterThanOrEqual(0);
        expect(conf).toBeLessThanOrEqual(1);
        expect(conf).toBeGreaterThanOrEqual(Math.max(...xs.map(([w, c]) => w * c)) - 1e-12);
      }),
    );
  });
});
