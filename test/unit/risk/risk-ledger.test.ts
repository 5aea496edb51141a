// The daily risk ledger: the capital-at-risk cap holds for any sequence of reservations, releases and
// realised results, on one connection or two, and the day (limits, usage, state) survives a reopen.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RiskLedger, type RiskLimits } from '../../../src/main/risk/risk-ledger';
import { openDatabase } from '../../../src/main/store/database';

const DAY = '2025-03-03';
const NOW = Date.UTC(2025, 2, 3, 15, 0);
const clock = { now: () => NOW };
const limits: RiskLimits = { positionValueLimit: 50_000, capitalAtRiskCap: 1_000, maxDailyLoss: 500 };
const tempDb = () => join(mkdtempSync(join(tmpdir(), 'risk-')), 'history.sqlite');

describe('RiskLedger', () => {
  it('when a day is first used then its limits come from config and later config changes do not touch it', () => {
    let config = limits;
    const ledger = new RiskLedger(openDatabase(':memory:'), () => config, clock);
    expect(ledger.today()).toBe(DAY);
    expect(ledger.day()).toMatchObject({ tradingDay: DAY, positionValueLimit: 50_000, capitalAtRiskCap: 1_000, capitalAtRiskUsed: 0, maxDailyLoss: 500, state: 'ACTIVE' });
    config = { ...limits, capitalAtRiskCap: 5 };
    expect(ledger.day(DAY).capitalAtRiskCap).toBe(1_000);
    expect(ledger.day('2025-03-04').capitalAtRiskCap).toBe(5);
  });

  it('when a reservation would pass the cap then it is refused and nothing is reserved', () => {
    const ledger = new RiskLedger(openDatabase(':memory:'), limits, clock);
    expect(ledger.reserve(600).ok).toBe(true);
    const refused = ledger.reserve(400.01);
    expect(refused).toMatchObject({ ok: false, code: 'cap_exceeded', day: { capitalAtRiskUsed: 600 } });
    expect(ledger.reserve(400).ok).toBe(true);
    expect(ledger.day().capitalAtRiskUsed).toBe(1_000);
    expect(ledger.release(250).capitalAtRiskUsed).toBe(750);
    expect(ledger.release(10_000).capitalAtRiskUsed).toBe(0);
    expect(() => ledger.reserve(Number.NaN)).toThrow(RangeError);
  });

  it('when two connections reserve against the same day then only what fits under the cap passes', () => {
    const path = tempDb();
    const a = new RiskLedger(openDatabase(path), limits, clock);
    const b = new RiskLedger(openDatabase(path), limits, clock);
    // Both see 0 used before either writes; the guarded UPDATE still lets only one through.
    expect(a.day(DAY).capitalAtRiskUsed).toBe(0);
    expect(b.day(DAY).capitalAtRiskUsed).toBe(0);
    const results = [a.reserve(600, DAY), b.reserve(600, DAY)];
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(b.day(DAY).capitalAtRiskUsed).toBe(600);
  });

  it('when the realised loss reaches the max daily loss then the day turns REDUCING and refuses new risk', () => {
    const ledger = new RiskLedger(openDatabase(':memory:'), limits, clock);
    expect(ledger.recordRealized(-300).reducing).toBe(false);
    expect(ledger.recordRealized(100).day.realizedPnl).toBe(-200);
    const hit = ledger.recordRealized(-300);
    expect(hit).toMatchObject({ reducing: true, day: { state: 'REDUCING', realizedPnl: -500 } });
    expect(ledger.reserve(1)).toMatchObject({ ok: false, code: 'not_active' });
    // A later gain does not lift the state: leaving REDUCING is the trader's call.
    expect(ledger.recordRealized(1_000).day.state).toBe('REDUCING');
    expect(ledger.release(0).state).toBe('REDUCING');
  });

  it('when the database is reopened then limits, usage, P&L and state are as they were', () => {
    const path = tempDb();
    const db = openDatabase(path);
    const ledger = new RiskLedger(db, limits, clock);
    ledger.reserve(700);
    ledger.recordRealized(-650);
    const before = ledger.day();
    db.close();
    const reopened = openDatabase(path);
    const again = new RiskLedger(reopened, { ...limits, capitalAtRiskCap: 99_999 }, clock);
    expect(again.day()).toEqual(before);
    expect(again.day().state).toBe('REDUCING');
    reopened.close();
  });

  it('for any sequence of reserve, release and realised results the cap holds, before and after reopen', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('reserve' as const), amount: fc.integer({ min: 0, max: 60_000 }).map((c) => c / 100) }),
      fc.record({ kind: fc.constant('release' as const), amount: fc.integer({ min: 0, max: 60_000 }).map((c) => c / 100) }),
      fc.record({ kind: fc.constant('realized' as const), amount: fc.integer({ min: -30_000, max: 20_000 }).map((c) => c / 100) }),
      fc.record({ kind: fc.constant('reopen' as const), amount: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const path = tempDb();
        let db = openDatabase(path);
        let ledger = new RiskLedger(db, limits, clock);
        ledger.day(); // the day starts here, so the reopened ledger's different config must not apply
        // A model in integer cents, to compare against.
        let used = 0;
        let pnl = 0;
        let state: 'ACTIVE' | 'REDUCING' = 'ACTIVE';
        for (const o of ops) {
          const cents = Math.round(o.amount * 100);
          if (o.kind === 'reserve') {
            const fits = state === 'ACTIVE' && used + cents <= 100_000;
            expect(ledger.reserve(o.amount).ok).toBe(fits);
            if (fits) used += cents;
          } else if (o.kind === 'release') {
            ledger.release(o.amount);
            used = Math.max(0, used - cents);
          } else if (o.kind === 'realized') {
            ledger.recordRealized(o.amount);
            pnl += cents;
            if (pnl <= -50_000) state = 'REDUCING';
          } else {
            db.close();
            db = openDatabase(path);
            ledger = new RiskLedger(db, { ...limits, capitalAtRiskCap: 1 }, clock);
          }
          const day = ledger.day();
          expect(day.capitalAtRiskUsed).toBeLessThanOrEqual(day.capitalAtRiskCap);
          expect(day.capitalAtRiskCap).toBe(1_000);
          expect(Math.round(day.capitalAtRiskUsed * 100)).toBe(used);
          expect(Math.round(day.realizedPnl * 100)).toBe(pnl);
          expect(day.state).toBe(state);
        }
        db.close();
      }),
      { numRuns: 60 },
    );
  });
});
