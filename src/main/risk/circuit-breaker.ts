// Execution circuit breaker: repeated broker failures (rejects, timeouts, 5xx) within a window open it
// and no new orders go out; after a cool-down one retry is let through (half-open); its success closes
// the breaker, its failure opens it again. Pure reducer functions over an immutable state and explicit times.

export type ExecutionFailureKind = 'reject' | 'timeout' | 'server-error';

export interface CircuitBreakerConfig {
  /** Failures within `windowMs` that open the breaker. Default 3. */
  failureThreshold: number;
  /** Default 60 000 ms. */
  windowMs: number;
  /** Time open before the half-open retry. Default 30 000 ms. */
  coolDownMs: number;
}

export const DEFAULT_CIRCUIT_BREAKER: Readonly<CircuitBreakerConfig> = Object.freeze({ failureThreshold: 3, windowMs: 60_000, coolDownMs: 30_000 });

export interface FailureRecord {
  at: number;
  kind: ExecutionFailureKind;
  detail: string;
}

export type CircuitState =
  | { phase: 'closed'; failures: readonly FailureRecord[] }
  | { phase: 'open'; openedAt: number; retryAt: number; reason: string; failures: readonly FailureRecord[] }
  | { phase: 'half-open'; since: number; probeInFlight: boolean; reason: string };

export const CLOSED: CircuitState = Object.freeze({ phase: 'closed', failures: Object.freeze([]) as readonly FailureRecord[] });

export type Admission =
  | { allowed: true; state: CircuitState; probe: boolean }
  | { allowed: false; state: CircuitState; reason: string };

/** Which broker answers count as execution failures: a rejection, a timeout, an HTTP 5xx. */
export function classifyExecutionFailure(e: { httpStatus?: number; timedOut?: boolean; rejected?: boolean }): ExecutionFailureKind | null {
  if (e.timedOut) return 'timeout';
  if (e.httpStatus !== undefined && e.httpStatus >= 500 && e.httpStatus <= 599) return 'server-error';
  if (e.rejected) return 'reject';
  return null;
}

/**
 * Asks to send an order at `now`. Open: refused until the cool-down ends, then half-open and this order
 * is the retry (probe). Half-open with the retry still out: refused. A flatten (kill switch, end of
 * day) is always let through and never used as the retry.
 */
export function admit(state: CircuitState, now: number, config: Readonly<CircuitBreakerConfig>, opts: { flatten?: boolean } = {}): Admission {
  if (opts.flatten) return { allowed: true, state, probe: false };
  switch (state.phase) {
    case 'closed':
      return { allowed: true, state, probe: false };
    case 'open':
      if (now >= state.openedAt + config.coolDownMs) return { allowed: true, state: { phase: 'half-open', since: now, probeInFlight: true, reason: state.reason }, probe: true };
      return { allowed: false, state, reason: `Execution circuit breaker open: ${state.reason}; retry in ${Math.ceil((state.retryAt - now) / 1000)}s` };
    case 'half-open':
      if (!state.probeInFlight) return { allowed: true, state: { ...state, probeInFlight: true }, probe: true };
      return { allowed: false, state, reason: `Execution circuit breaker half-open: waiting on the retry order (${state.reason})` };
  }
}

/** A broker success closes a half-open breaker; in the closed phase it changes nothing (failures age out of the window). */
export function recordSuccess(state: CircuitState): CircuitState {
  return state.phase === 'half-open' ? CLOSED : state;
}

/** An execution failure at `at`; returns the new state (open when the threshold is reached, or again after a failed retry). */
export function recordFailure(state: CircuitState, failure: FailureRecord, config: Readonly<CircuitBreakerConfig>): CircuitState {
  const open = (reason: string, failures: readonly FailureRecord[]): CircuitState => ({ phase: 'open', openedAt: failure.at, retryAt: failure.at + config.coolDownMs, reason, failures });
  switch (state.phase) {
    case 'closed': {
      const failures = [...state.failures, failure].filter((f) => f.at > failure.at - config.windowMs);
      if (failures.length >= config.failureThreshold) {
        return open(`${failures.length} execution failures within ${Math.round(config.windowMs / 1000)}s (last: ${failure.kind}, ${failure.detail})`, failures);
      }
      return { phase: 'closed', failures };
    }
    case 'open':
      return { ...state, failures: [...state.failures, failure] };
    case 'half-open':
      return open(`retry failed (${failure.kind}, ${failure.detail})`, [failure]);
  }
}

/** The alert line for the cockpit, or null when closed. */
export function breakerAlert(state: CircuitState): string | null {
  if (state.phase === 'closed') return null;
  return state.phase === 'open' ? `Orders paused: ${state.reason}` : `Orders paused, retrying: ${state.reason}`;
}
