// The engine's trading state: ACTIVE (entries and exits), REDUCING (exits only), HALTED (nothing new;
// the kill switch). Every change is an event with its cause. Leaving HALTED needs the trader.
import type { TradingState, TradingStateChange } from '../../shared/domain';
import type { Clock } from '../engine/clock';
import type { EngineBus } from '../engine/topics';
import type { Logger } from '../logging/logger';

export class TradingStateMachine {
  private current: TradingStateChange;

  constructor(
    private readonly bus: EngineBus,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.current = { state: 'ACTIVE', previous: 'ACTIVE', cause: 'engine started', at: clock.now() };
  }

  get state(): TradingStateChange {
    return this.current;
  }

  /** True when a new entry order may be sent. */
  get entriesAllowed(): boolean {
    return this.current.state === 'ACTIVE';
  }

  change(state: TradingState, cause: string): TradingStateChange {
    if (state === this.current.state) return this.current;
    this.current = { state, previous: this.current.state, cause, at: this.clock.now() };
    this.log.warn(`trading state ${this.current.previous} → ${state}`, { cause });
    this.bus.publish('trading.state', this.current);
    return this.current;
  }

  /** HALTED at once, then every open position is flattened by whoever serves the endpoint. */
  async killSwitch(cause: string): Promise<TradingStateChange> {
    const change = this.change('HALTED', cause);
    if (this.bus.hasEndpoint('execution.flattenAll')) {
      const { closed } = await this.bus.request('execution.flattenAll', { cause });
      this.bus.publish('app.notice', {
        level: 'warn',
        code: 'trading.killSwitch',
        message: `Kill switch: trading HALTED, ${closed} position(s) sent to close (${cause})`,
        at: this.clock.now(),
      });
    } else {
      this.bus.publish('app.notice', {
        level: 'warn',
        code: 'trading.killSwitch',
        message: `Kill switch: trading HALTED, no execution engine holds positions (${cause})`,
        at: this.clock.now(),
      });
    }
    return change;
  }
}
