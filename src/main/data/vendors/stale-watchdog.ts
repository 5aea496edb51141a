// Notices a vendor stream gone quiet while the market is open: silence during the regular session is
// a problem (a dead connection, a vendor outage), silence at night is normal and is not reported.
import type { NyseCalendar, SessionPart } from '../../calendar/nyse';
import type { CancelTimer, Clock } from '../../engine/clock';

export interface StaleWatchdogOptions {
  clock: Clock;
  calendar: NyseCalendar;
  /** Silence longer than this, inside `sessions`, is stale. */
  staleAfterMs: number;
  /** Parts of the trading day in which silence counts; default regular hours only. */
  sessions?: readonly SessionPart[];
  /**
   * Silence crossed the threshold: `first` on the crossing, then again after each further
   * `staleAfterMs` of silence (the caller probes the connection each time).
   */
  onStale(silentMs: number, first: boolean): void;
  /** A message arrived after a stale spell. */
  onFresh(silentMs: number): void;
}

export class StaleWatchdog {
  private lastMessageAt = 0;
  private lastReportAt = 0;
  private stale = false;
  private cancel: CancelTimer | null = null;
  private readonly sessions: ReadonlySet<SessionPart>;
  private readonly checkEveryMs: number;

  constructor(private readonly options: StaleWatchdogOptions) {
    if (!(options.staleAfterMs > 0)) throw new RangeError(`staleAfterMs must be > 0, got ${options.staleAfterMs}`);
    this.sessions = new Set(options.sessions ?? ['regular']);
    // Fine enough to report within a quarter of the threshold, never busier than every 10 ms.
    this.checkEveryMs = Math.max(10, Math.min(1_000, Math.floor(options.staleAfterMs / 4)));
  }

  get isStale(): boolean {
    return this.stale;
  }

  /** Starts watching, counting silence from now. */
  start(): void {
    this.stop();
    this.lastMessageAt = this.options.clock.now();
    this.stale = false;
    this.cancel = this.options.clock.every(this.checkEveryMs, () => this.check());
  }

  stop(): void {
    this.cancel?.();
    this.cancel = null;
    this.stale = false;
  }

  /** A message arrived. */
  touch(): void {
    const now = this.options.clock.now();
    const silent = now - this.lastMessageAt;
    this.lastMessageAt = now;
    if (this.stale) {
      this.stale = false;
      this.options.onFresh(silent);
    }
  }

  private check(): void {
    const now = this.options.clock.now();
    const silent = now - this.lastMessageAt;
    if (this.stale) {
      if (now - this.lastReportAt >= this.options.staleAfterMs) {
        this.lastReportAt = now;
        this.options.onStale(silent, false);
      }
      return;
    }
    if (silent < this.options.staleAfterMs) return;
    if (!this.sessions.has(this.options.calendar.partOf(now))) return;
    this.stale = true;
    this.lastReportAt = now;
    this.options.onStale(silent, true);
  }
}
