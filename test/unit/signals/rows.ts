// Hand-built feature rows and bars for the signal tests: every feature and overlay NaN unless named.
import { nyWallToUtc } from '../../../src/main/calendar/ny-time';
import type { FeatureRow } from '../../../src/main/features/feature-engine';
import { FEATURE_COUNT, FEATURE_INDEX } from '../../../src/main/features/spec';
import { OVERLAY_COUNT, OVERLAY_NAMES, type OverlayName } from '../../../src/main/features/streaming';
import type { Bar } from '../../../src/shared/domain';

/** 10:30 New York on Monday 2024-03-04, plus `minutes`. */
export const at = (minutes: number, day = 4): number => nyWallToUtc(2024, 3, day, 10, 30) + minutes * 60_000;

export function row(symbol: string, start: number, features: Record<string, number> = {}, overlays: Partial<Record<OverlayName, number>> = {}): FeatureRow {
  const values = new Float64Array(FEATURE_COUNT).fill(Number.NaN);
  for (const [name, v] of Object.entries(features)) {
    const i = FEATURE_INDEX[name];
    if (i === undefined) throw new Error(`no feature ${name}`);
    values[i] = v;
  }
  const ov = new Float64Array(OVERLAY_COUNT).fill(Number.NaN);
  for (const [name, v] of Object.entries(overlays)) ov[OVERLAY_NAMES.indexOf(name as OverlayName)] = v as number;
  return { symbol, start, values, overlays: ov };
}

export function bar(symbol: string, start: number, close: number, o: { open?: number; high?: number; low?: number; volume?: number } = {}): Bar {
  const open = o.open ?? close;
  return { symbol, timeframe: '1m', start, open, high: o.high ?? Math.max(open, close) + 0.01, low: o.low ?? Math.min(open, close) - 0.01, close, volume: o.volume ?? 1_000 };
}
