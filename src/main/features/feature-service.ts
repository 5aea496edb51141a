// The engine's feature component: every regular-session bar from the data engine goes through the
// feature engine; rows go out on the bus for signals and models, chart overlays to the cockpit.
// Warmed at start from the same history the data engine was seeded with, and from the store's
// daily bars, so features are warm from the first streamed bar when history exists.
import type { Bar, QuoteTick } from '../../shared/domain';
import type { NyseCalendar } from '../calendar/nyse';
import { nyDateKey } from '../calendar/ny-time';
import type { Clock } from '../engine/clock';
import { BaseComponent, type StatusListener } from '../engine/lifecycle';
import type { EngineBus } from '../engine/topics';
import type { Logger } from '../logging/logger';
import type { HistoryStore } from '../store/history-store';
import { FeatureEngine, type FeatureRow } from './feature-engine';
import { OVERLAY_NAMES } from './streaming';

export interface OverlayPoint {
  start: number;
  values: Record<string, number | null>;
}

const KEEP = 2_000;

export class FeatureService extends BaseComponent {
  readonly engine: FeatureEngine;
  private readonly overlays = new Map<string, OverlayPoint[]>();
  private readonly unsubscribe: Array<() => void> = [];
  private rows = 0;

  constructor(
    private readonly bus: EngineBus,
    private readonly store: HistoryStore,
    private readonly calendar: NyseCalendar,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly watchlist: readonly string[],
    vix: ReadonlyArray<{ date: string; close: number }> | null,
    onStatus: StatusListener,
  ) {
    super('features', onStatus);
    this.engine = new FeatureEngine(calendar);
    if (vix) this.engine.setVix(vix);
  }

  /** History before the session: daily context from the store, then the given minute bars. */
  warm(history: readonly Bar[]): void {
    const firstDay = history.length > 0 ? nyDateKey(history[0]!.start) : nyDateKey(this.clock.now());
    const before = this.calendar.session(firstDay)?.preOpen ?? this.clock.now();
    for (const symbol of this.watchlist) {
      const days = this.store.loadBars(symbol, '1d', 0, before).map((b) => ({
        date: nyDateKey(b.start),
        open: b.open,
        high: b.high,
        low: b.low,
        close: b.close,
        volume: b.volume,
      }));
      if (days.length > 0) this.engine.seedDaily(symbol, days);
    }
    for (const bar of history) this.onBar(bar, false);
    this.log.info('features warmed', { bars: history.length, symbols: this.watchlist.length });
  }

  overlayHistory(symbol: string, limit: number): OverlayPoint[] {
    const list = this.overlays.get(symbol) ?? [];
    return list.slice(Math.max(0, list.length - limit));
  }

  get rowsComputed(): number {
    return this.rows;
  }

  protected onStart(): void {
    this.unsubscribe.push(
      this.bus.subscribe('market.bar', (bar) => this.onBar(bar, true), 'features'),
      this.bus.subscribe('data.quote', (q: QuoteTick) => this.engine.onQuote(q), 'features'),
    );
  }

  protected onStop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private onBar(bar: Bar, publish: boolean): void {
    let row: FeatureRow | null;
    try {
      row = this.engine.onBar(bar);
    } catch (error) {
      // A feature bug must not stop the data path; it shows as a degraded component.
      this.degrade(`feature computation failed for ${bar.symbol}: ${error instanceof Error ? error.message : String(error)}`);
      this.log.error('feature computation failed', { error, symbol: bar.symbol, start: bar.start });
      return;
    }
    if (!row) return;
    this.rows++;
    const point: OverlayPoint = { start: row.start, values: {} };
    OVERLAY_NAMES.forEach((name, i) => {
      const v = row!.overlays[i]!;
      point.values[name] = Number.isFinite(v) ? v : null;
    });
    let list = this.overlays.get(bar.symbol);
    if (!list) {
      list = [];
      this.overlays.set(bar.symbol, list);
    }
    if (list.length > 0 && list[list.length - 1]!.start === point.start) list[list.length - 1] = point;
    else list.push(point);
    if (list.length > KEEP * 1.25) list.splice(0, list.length - KEEP);
    if (publish) {
      this.bus.publish('features.row', { ...row, bar });
      this.bus.publish('market.overlay', { symbol: bar.symbol, start: point.start, values: point.values });
    }
  }
}
