// The managed exits a configuration turns on (besides each entry's stop and target); the flatten time
// comes from the risk limits. The engine's position manager and a backtest's random-entry baseline
// both read them here, so the baseline exits the way the strategy does.
import type { EngineConfig } from '../config/config';
import type { ExitRules } from '../risk/exits';

export function exitRulesOf(exits: EngineConfig['exits']): Omit<ExitRules, 'flattenMinutesBeforeClose'> {
  return {
    ...(exits.peakExitPct > 0 ? { peakExitPct: exits.peakExitPct } : {}),
    ...(exits.trailAmount > 0 ? { trailAmount: exits.trailAmount } : {}),
    ...(exits.maxBarsHeld > 0 ? { maxBarsHeld: exits.maxBarsHeld } : {}),
    ...(exits.mlExitThreshold > 0 ? { mlExitThreshold: exits.mlExitThreshold } : {}),
  };
}
