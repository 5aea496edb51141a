// Before a backtest starts: every requested symbol must have stored 1-minute bars on every trading
// day of the span. What is missing is refused by name, with the command that imports it.
import type { NyseCalendar } from '../calendar/nyse';
import type { HistoryStore } from '../store/history-store';
import { BacktestInputError } from './errors';

/** Trading days of [from, to] (inclusive) on the exchange calendar. */
export function sessionDays(calendar: NyseCalendar, from: string, to: string): string[] {
  if (to < from) throw new BacktestInputError(`the backtest ends (${to}) before it starts (${from})`);
  const days = calendar.tradingDays(from, to);
  if (days.length === 0) throw new BacktestInputError(`no trading session between ${from} and ${to}`);
  return days;
}

export function checkHistory(store: HistoryStore, calendar: NyseCalendar, symbols: readonly string[], from: string, to: string): string[] {
  const days = sessionDays(calendar, from, to);
  const problems: string[] = [];
  for (const symbol of symbols) {
    const have = store.dayCounts(symbol, '1m', days[0]!, days.at(-1)!);
    const missing = days.filter((d) => !have.has(d));
    if (missing.length === 0) continue;
    problems.push(missing.length === days.length ? `${symbol}: no stored bars from ${days[0]} to ${days.at(-1)}` : `${symbol}: ${missing.length} of ${days.length} sessions missing (${summarise(missing)})`);
  }
  if (problems.length > 0) {
    throw new BacktestInputError(
      `missing 1-minute history for the backtest: ${problems.join('; ')}. Import it first, e.g. npm run cli -- import FILE --format ninjatrader --symbol SYMBOL (or File → Import history… in the cockpit)`,
    );
  }
  return days;
}

function summarise(days: readonly string[]): string {
  if (days.length <= 4) return days.join(', ');
  return `${days.slice(0, 3).join(', ')} … ${days.at(-1)}`;
}
