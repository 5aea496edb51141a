// Before a paper or live session trades, what the broker says about its account and its calendar: an
// account that is blocked or not active halts trading, a bankroll above the account's equity is
// flagged, and a closure or an early close the broker knows and our calendar does not becomes a
// stored override. The broker reads (Broker.preflight); this decides.
import type { CalendarOverride, NyseCalendar } from '../calendar/nyse';
import { nyDateKey } from '../calendar/ny-time';
import type { Clock } from '../engine/clock';
import type { EngineBus } from '../engine/topics';
import type { TradingStateMachine } from '../risk/trading-state';
import type { Broker } from './types';

/** How far ahead the broker's calendar is compared with ours. */
const PREFLIGHT_DAYS = 14;

export interface BrokerPreflightParts {
  broker: Pick<Broker, 'label' | 'preflight'>;
  trading: TradingStateMachine;
  calendar: NyseCalendar;
  /** Keeps an override learned from the broker (the calendar_overrides table). */
  saveOverride: (override: CalendarOverride) => void;
  bankroll: number;
  /** Where the findings go, as `app.notice` with the code broker.preflight. */
  bus: EngineBus;
  clock: Clock;
}

/** Runs the broker's preflight when it has one; false when it has none (the simulated broker). */
export async function runBrokerPreflight(parts: BrokerPreflightParts): Promise<boolean> {
  const { broker, trading, calendar, bus, clock } = parts;
  if (!broker.preflight) return false;
  const notice = (level: 'info' | 'warn' | 'error', message: string): void => bus.publish('app.notice', { level, code: 'broker.preflight', message, at: clock.now() });
  const now = clock.now();
  const today = nyDateKey(now);
  const last = nyDateKey(now + PREFLIGHT_DAYS * 86_400_000);
  let report: Awaited<ReturnType<NonNullable<Broker['preflight']>>>;
  try {
    report = await broker.preflight(today, last);
  } catch (error) {
    notice('warn', `Could not read the ${broker.label} account and calendar: ${error instanceof Error ? error.message : String(error)}`);
    return true;
  }
  const { account, sessions } = report;
  if (account.tradingBlocked || account.status !== 'ACTIVE') {
    const why = `${broker.label} account is ${account.status}${account.tradingBlocked ? ' and trading is blocked' : ''}`;
    trading.change('HALTED', why);
    notice('error', `${why}: trading HALTED`);
  }
  if (account.equity < parts.bankroll) {
    notice('warn', `TRADING_BANKROLL ${parts.bankroll} is above the ${broker.label} account equity ${account.equity.toFixed(2)}: the percentage caps are taken of the bankroll`);
  }
  const theirs = new Map(sessions.map((d) => [d.date, d]));
  const learn = (o: CalendarOverride): void => {
    calendar.addOverride(o);
    parts.saveOverride(o);
  };
  for (let t = now; nyDateKey(t) <= last; t += 86_400_000) {
    const date = nyDateKey(t);
    const ours = calendar.session(date);
    const day = theirs.get(date);
    if (ours && !day) {
      learn({ date, kind: 'closed', reason: `closed per the ${broker.label} calendar` });
      notice('warn', `${date}: ${broker.label} lists no session; the cockpit treats the day as closed`);
    } else if (ours && day && day.close === '13:00' && !ours.earlyClose) {
      learn({ date, kind: 'early-close', reason: `13:00 close per the ${broker.label} calendar` });
      notice('warn', `${date}: ${broker.label} closes at 13:00; the flatten and the entry cutoff move with it`);
    } else if (!ours && day) {
      // (kept as is: the cockpit's calendar errs on the side of not trading)
      notice('warn', `${date}: ${broker.label} lists a session the cockpit's calendar has closed (${calendar.closureReason(date) ?? 'closed'}); the cockpit will not trade it`);
    }
  }
  return true;
}
