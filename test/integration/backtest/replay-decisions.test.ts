// "Replay my decisions": a paper session where the trader approved some signals and vetoed the rest,
// then a backtest of the same days that replays those decisions from the audit trail. It executes what
// the trader approved, at the size they approved, and nothing they vetoed: the same trades, to the cent.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../../src/shared/backtest';
import type { CollectedRun } from '../../../src/main/backtest/result-collector';
import { runBacktest } from '../../../src/main/backtest/run-backtest';
import { backtestBaseConfig, HAVE_SPY, runPaperReplay, spyHistoryDb } from '../../helpers/backtest';

const DAYS = { from: '2011-01-10', to: '2011-01-14' } as const;

describe.skipIf(!HAVE_SPY)('a backtest replays the trader’s own decisions', () => {
  let history: { dir: string; dbPath: string };
  let paper: CollectedRun;
  let replayed: BacktestResult;
  let all: BacktestResult;
  const approved = new Map<string, number>();
  const vetoed = new Set<string>();

  beforeAll(async () => {
    history = spyHistoryDb();
    // The trader's session records its signals and decisions in the trader's own database.
    let seen = 0;
    paper = await runPaperReplay({ dbPath: history.dbPath, dataDir: history.dir, symbols: ['SPY'], ...DAYS }, (engine) => {
      engine.bus.subscribe('signals.update', (s) => {
        if (s.status !== 'pending' || s.qty === 0) return;
        // The trader approves every third signal (a smaller size on some) and vetoes the others.
        if (seen++ % 3 === 0) {
          const qty = seen % 2 === 0 ? Math.max(1, Math.floor(s.qty / 2)) : s.qty;
          approved.set(s.id, qty);
          void engine.desk.approve(s.id, qty);
        } else {
          vetoed.add(s.id);
          engine.desk.veto(s.id, 'not this one');
        }
      });
    });

    const base = backtestBaseConfig(history.dir);
    replayed = await runBacktest({ symbols: ['SPY'], ...DAYS, policy: { kind: 'replay' }, fills: { fees: 'none' }, randomRuns: 0 }, { runId: 'bt-replay', historyDbPath: history.dbPath, workDir: join(history.dir, 'w1'), base });
    all = await runBacktest({ symbols: ['SPY'], ...DAYS, policy: { kind: 'all' }, fills: { fees: 'none' }, randomRuns: 0 }, { runId: 'bt-all', historyDbPath: history.dbPath, workDir: join(history.dir, 'w2'), base });
  }, 180_000);
  afterAll(() => rmSync(history.dir, { recursive: true, force: true }));

  it('the trader decided both ways in the session', () => {
    expect(approved.size).toBeGreaterThan(3);
    expect(vetoed.size).toBeGreaterThan(approved.size);
    expect(paper.trades.length).toBeGreaterThan(0);
  });

  it('replays exactly what the trader approved, at their size: the same trades as the session', () => {
    expect(replayed.trades).toEqual(paper.trades);
    // Executed signals are among the approved ones; the halved approvals traded at the trader's size.
    expect(replayed.signals.approved).toBeLessThanOrEqual(approved.size);
    expect(replayed.signals.approved).toBeGreaterThan(0);
    expect(new Set(replayed.trades.map((t) => t.qty)).size).toBeGreaterThan(1);
  });

  it('sets what the trader approved beside what the system proposed', () => {
    expect(all.trades.length).toBeGreaterThan(replayed.trades.length);
    expect(all.signals.approved).toBeGreaterThan(replayed.signals.approved);
  });
});
