// The VIX daily closes the day filter reads (TRADING_VIX_FILE): loaded once at start, and looked up
// as the last close before a session's day, which is known before the open.
import { readFileSync } from 'node:fs';
import { readDailyCloseCsv } from './dataset';

export type VixCloses = Array<{ date: string; close: number }>;

/** The closes in a DATE,CLOSE file; throws with the file's name (never its content) when it cannot be read. */
export function loadVixFile(path: string): VixCloses {
  try {
    return readDailyCloseCsv(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`TRADING_VIX_FILE=${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The last VIX close before `day` (YYYY-MM-DD), from closes in date order; null when there is none. */
export function vixBefore(closes: VixCloses | null, day: string): number | null {
  if (!closes) return null;
  let found: number | null = null;
  for (const v of closes) {
    if (v.date >= day) break;
    found = v.close;
  }
  return found;
}
