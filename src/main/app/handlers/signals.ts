// The signal channels: the desk's queue and policy, the trader's approve and veto, the day's focus
// list, and the simulated session's test hook that proposes a signal on demand.
import type { EngineConfig } from '../../config/config';
import type { BarCache } from '../../data/bar-cache';
import type { MarketFeed } from '../../data/feed';
import type { Clock } from '../../engine/clock';
import { RefusalError } from '../../ipc/dispatcher';
import { simulatedTestSignal, type ApprovalDesk } from '../../signals/desk';
import type { FocusListStore } from '../../signals/focus-list';
import type { Sizer } from '../../signals/signal-service';
import type { DomainHandlers } from './combine';
import { refusedBy } from './refusal';

type SignalChannel = 'signals.list' | 'signals.approve' | 'signals.veto' | 'signals.setMode' | 'signals.focusList' | 'signals.proposeTest';

export interface SignalHandlerDeps {
  config: Pick<EngineConfig, 'mode' | 'watchlist'>;
  feed: Pick<MarketFeed, 'simulated'>;
  clock: Clock;
  cache: Pick<BarCache, 'bars'>;
  desk: Pick<ApprovalDesk, 'policy' | 'list' | 'approve' | 'veto' | 'setMode' | 'propose'>;
  focusLists: Pick<FocusListStore, 'latest'>;
  /** The signal sizing the signal service uses (the risk manager's). */
  size: Sizer;
}

export function signalHandlers(deps: SignalHandlerDeps): DomainHandlers<SignalChannel> {
  const { config, desk } = deps;
  let testSignalCounter = 0;
  return {
    'signals.list': () => ({ ...desk.policy(), signals: desk.list() }),
    'signals.approve': async ({ id, qty }) => {
      const r = await desk.approve(id, qty);
      if (!r.ok) throw new RefusalError('REFUSED', r.reason);
      return r.signal;
    },
    'signals.veto': ({ id, reason }) => {
      const r = desk.veto(id, reason);
      if (!r.ok) throw new RefusalError('REFUSED', r.reason);
      return r.signal;
    },
    'signals.setMode': ({ mode, threshold }) => desk.setMode(mode, threshold),
    'signals.focusList': () => deps.focusLists.latest(),
    // SIMULATED TEST HOOK: only a simulated session answers it (see the contract).
    'signals.proposeTest': async ({ symbol, side, source, confidence, ttlMinutes }) => {
      if (config.mode !== 'SIMULATED' || !deps.feed.simulated) {
        throw new RefusalError('NOT_AVAILABLE', 'signals.proposeTest is a test hook of the simulated session only');
      }
      if (!config.watchlist.includes(symbol)) throw new RefusalError('BAD_REQUEST', `signals.proposeTest: ${symbol} is not in the watchlist`);
      const now = deps.clock.now();
      const signal = simulatedTestSignal({
        id: `test-${symbol}-${now}-${++testSignalCounter}`,
        symbol,
        side,
        source,
        confidence,
        bars: deps.cache.bars(symbol, 15),
        now,
        ttlMs: Math.round(ttlMinutes * 60_000),
        size: (entryPrice, stopPrice) => deps.size(symbol, side, entryPrice, stopPrice),
      });
      if (!signal) throw new RefusalError('REFUSED', `no bar of ${symbol} yet to build a test signal from`);
      try {
        return await desk.propose(signal);
      } catch (error) {
        throw refusedBy(error);
      }
    },
  };
}
