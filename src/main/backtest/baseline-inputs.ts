// The baselines of one run, on the same days and symbols: buy-and-hold of SPY (whether traded or
// not) and of the traded symbols, and random entries taking as many entries a day as the strategy
// did, sized and exited by the same rules and fees. Bars are read a session at a time.
import { nyDateKey } from '../calendar/ny-time';
import type { NyseCalendar } from '../calendar/nyse';
import type { Baselines, BacktestSpec, BacktestTrade } from '../../shared/backtest';
import { feeScheduleOf } from '../execution/fees';
import type { ExitRules } from '../risk/exits';
import { riskLimits } from '../risk/pre-trade';
import type { HistoryStore } from '../store/history-store';
import { buyAndHold, buyAndHoldBasket, buyHoldDayOf, randomEntryRuns, regularSessions, sessionWindow, summariseRandom, type BuyHoldDay, type RandomBaselineSession, type SessionBars } from './baselines';
import { sessionDays } from './history-check';

/** The rules' usual stop and target (1.5 ATR, 2R): the random entries' exits besides the managed ones. */
const RANDOM_STOP = { atrMultiple: 1.5, rewardRisk: 2 } as const;

export interface BaselineParts {
  spec: BacktestSpec;
  history: HistoryStore;
  calendar: NyseCalendar;
  trades: readonly BacktestTrade[];
  strategyReturn: number;
  /** The run's managed exits (the position manager's). */
  exits: Omit<ExitRules, 'flattenMinutesBeforeClose'>;
  /** The run's risk limits over the defaults. */
  limits: Parameters<typeof riskLimits>[0];
}

export function baselinesFor(parts: BaselineParts): Baselines {
  const { spec, history, calendar } = parts;
  const days = sessionDays(calendar, spec.from, spec.to);
  const limits = riskLimits(parts.limits);
  const perDay = new Map<string, number>();
  for (const t of parts.trades) perDay.set(nyDateKey(t.entryTime), (perDay.get(nyDateKey(t.entryTime)) ?? 0) + 1);
  const holdDays: BuyHoldDay[][] = spec.symbols.map(() => []);
  const sessions: RandomBaselineSession[] = [];
  for (const date of days) {
    const s = calendar.session(date)!;
    const bars: SessionBars[] = [];
    spec.symbols.forEach((symbol, i) => {
      const day = regularSessions(history.loadColumns(symbol, '1m', s.preOpen, s.postClose)).get(date);
      if (!day || day.close.length === 0) return;
      bars.push(day);
      holdDays[i]!.push(buyHoldDayOf(day));
    });
    const window = sessionWindow(calendar, date, limits);
    if (window) sessions.push({ date, ...window, strategyTrades: perDay.get(date) ?? 0, bars });
  }
  const runs =
    spec.randomRuns > 0
      ? randomEntryRuns({
          sessions,
          calendar,
          sizing: { riskPerTradeShare: 0.1, limits },
          stop: RANDOM_STOP,
          exits: { ...parts.exits, mlExitThreshold: 0, flattenMinutesBeforeClose: limits.flattenMinutesBeforeClose },
          fills: { slippage: spec.fills.slippage, fees: feeScheduleOf(spec.fills.fees) },
          seed: spec.seed,
          runs: spec.randomRuns,
        })
      : [];
  const random = summariseRandom(parts.strategyReturn, runs);
  const { beatenByRandom, ...randomSummary } = random;
  return {
    buyHoldSpy: spyHold(history, calendar, days),
    buyHoldSymbols: holdDays.every((d) => d.length === days.length) ? buyAndHoldBasket(holdDays) : null,
    random: randomSummary,
    beatenByRandom: runs.length > 0 && beatenByRandom,
  };
}

function spyHold(history: HistoryStore, calendar: NyseCalendar, days: readonly string[]): Baselines['buyHoldSpy'] {
  const out: BuyHoldDay[] = [];
  for (const date of days) {
    const s = calendar.session(date)!;
    const day = regularSessions(history.loadColumns('SPY', '1m', s.preOpen, s.postClose)).get(date);
    if (!day || day.close.length === 0) return null;
    out.push(buyHoldDayOf(day));
  }
  return buyAndHold(out);
}
