import { describe, expect, it } from 'vitest';
import { NyseCalendar, type CalendarOverride } from '../../../src/main/calendar/nyse';
import { MessageBus } from '../../../src/main/engine/bus';
import { SimulatedClock } from '../../../src/main/engine/clock';
import type { EngineBus, EngineTopics } from '../../../src/main/engine/topics';
import { runBrokerPreflight } from '../../../src/main/execution/broker-preflight';
import type { BrokerPreflight } from '../../../src/main/execution/types';
import { createMemoryLogger } from '../../../src/main/logging/logger';
import { TradingStateMachine } from '../../../src/main/risk/trading-state';

// Monday 2025-03-03, 08:00 New York: the next two weeks are 2025-03-03 … 2025-03-17.
const NOW = Date.UTC(2025, 2, 3, 13, 0);

/** The broker's calendar as NYSE's own rules give it, less or changed where a test says. */
function sessions(calendar: NyseCalendar, change: (date: string) => { close: string } | null | undefined = () => undefined): BrokerPreflight['sessions'] {
  const out: BrokerPreflight['sessions'] = [];
  for (let t = NOW; t <= NOW + 14 * 86_400_000; t += 86_400_000) {
    const date = new Date(t).toISOString().slice(0, 10);
    if (!calendar.session(date)) continue;
    const c = change(date);
    if (c === null) continue;
    out.push({ date, open: '09:30', close: c?.close ?? '16:00' });
  }
  return out;
}

async function preflight(report: (calendar: NyseCalendar) => BrokerPreflight | Error, bankroll = 20_000) {
  const bus: EngineBus = new MessageBus();
  const clock = new SimulatedClock(NOW);
  const calendar = new NyseCalendar();
  const trading = new TradingStateMachine(bus, clock, createMemoryLogger());
  const notices: Array<EngineTopics['app.notice']> = [];
  bus.subscribe('app.notice', (n) => notices.push(n), 'presentation');
  const saved: CalendarOverride[] = [];
  const answer = report(new NyseCalendar());
  const ran = await runBrokerPreflight({
    broker: { label: 'Alpaca (paper)', preflight: async () => (answer instanceof Error ? Promise.reject(answer) : answer) },
    trading,
    calendar,
    saveOverride: (o) => saved.push(o),
    bankroll,
    bus,
    clock,
  });
  return { ran, trading, calendar, notices, saved };
}

const ok = { status: 'ACTIVE', tradingBlocked: false, equity: 25_000 };

describe('the broker preflight', () => {
  it('when the broker knows a closure and a 13:00 close our calendar does not then both are stored and applied', async () => {
    const r = await preflight((cal) => ({ account: ok, sessions: sessions(cal, (d) => (d === '2025-03-05' ? null : d === '2025-03-06' ? { close: '13:00' } : undefined)) }));
    expect(r.ran).toBe(true);
    expect(r.saved.map((o) => [o.date, o.kind])).toEqual([['2025-03-05', 'closed'], ['2025-03-06', 'early-close']]);
    expect(r.calendar.session('2025-03-05')).toBeNull();
    expect(r.calendar.session('2025-03-06')!.earlyClose).toBe(true);
    expect(r.notices.every((n) => n.code === 'broker.preflight')).toBe(true);
    expect(r.trading.state.state).toBe('ACTIVE');
  });

  it('when the account is blocked then trading is HALTED; a bankroll above the equity is flagged', async () => {
    const r = await preflight((cal) => ({ account: { status: 'ACTIVE', tradingBlocked: true, equity: 15_000 }, sessions: sessions(cal) }));
    expect(r.trading.state).toMatchObject({ state: 'HALTED', cause: 'Alpaca (paper) account is ACTIVE and trading is blocked' });
    expect(r.notices.map((n) => n.level)).toEqual(['error', 'warn']);
    expect(r.notices[1]!.message).toContain('TRADING_BANKROLL 20000 is above the Alpaca (paper) account equity 15000.00');
    expect(r.saved).toEqual([]);
  });

  it('when the broker cannot be read then one warning is shown and nothing changes', async () => {
    const r = await preflight(() => new Error('connection refused'));
    expect(r.notices).toEqual([expect.objectContaining({ level: 'warn', message: 'Could not read the Alpaca (paper) account and calendar: connection refused' })]);
    expect(r.trading.state.state).toBe('ACTIVE');
  });

  it('a broker without a preflight (the simulated one) is not asked', async () => {
    const bus: EngineBus = new MessageBus();
    const clock = new SimulatedClock(NOW);
    const trading = new TradingStateMachine(bus, clock, createMemoryLogger());
    expect(await runBrokerPreflight({ broker: { label: 'Simulated' }, trading, calendar: new NyseCalendar(), saveOverride: () => {}, bankroll: 1, bus, clock })).toBe(false);
  });
});
