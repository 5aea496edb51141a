// The calendar_overrides table (the first migration): closures and early closes the NYSE rules cannot know,
// learned from a broker's calendar and applied to the engine's calendar at every start.
import type { CalendarOverride } from '../calendar/nyse';
import type { Db } from './database';

export class CalendarOverrideStore {
  constructor(private readonly db: Db) {}

  all(): CalendarOverride[] {
    return this.db.prepare('SELECT date, kind, reason FROM calendar_overrides').all() as CalendarOverride[];
  }

  /** Adds or replaces the override of its date. */
  save(override: CalendarOverride): void {
    this.db.prepare('INSERT OR REPLACE INTO calendar_overrides (date, kind, reason) VALUES (?, ?, ?)').run(override.date, override.kind, override.reason);
  }
}
