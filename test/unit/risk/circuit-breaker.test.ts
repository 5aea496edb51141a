import { describe, expect, it } from 'vitest';
import { admit, breakerAlert, classifyExecutionFailure, CLOSED, DEFAULT_CIRCUIT_BREAKER, recordFailure, recordSuccess, type CircuitState, type ExecutionFailureKind } from '../../../src/main/risk/circuit-breaker';

const CFG = DEFAULT_CIRCUIT_BREAKER; // 3 failures in 60 s, 30 s cool-down
const fail = (s: CircuitState, at: number, kind: ExecutionFailureKind = 'timeout') => recordFailure(s, { at, kind, detail: 'broker' }, CFG);

describe('execution circuit breaker', () => {
  it('when three failures come within a minute then it opens, refuses orders and says why', () => {
    let s = fail(CLOSED, 0, 'reject');
    s = fail(s, 10_000, 'server-error');
    expect(s.phase).toBe('closed');
    expect(admit(s, 11_000, CFG).allowed).toBe(true);
    s = fail(s, 20_000, 'timeout');
    expect(s.phase).toBe('open');
    const a = admit(s, 21_000, CFG);
    expect(a.allowed).toBe(false);
    if (!a.allowed) expect(a.reason).toMatch(/3 execution failures within 60s.*timeout/);
    expect(breakerAlert(s)).toMatch(/Orders paused/);
    expect(breakerAlert(CLOSED)).toBeNull();
  });

  it('failures older than the window do not count', () => {
    let s = fail(CLOSED, 0);
    s = fail(s, 30_000);
    s = fail(s, 60_000); // the first is now 60 s old: out of the window
    expect(s.phase).toBe('closed');
    s = fail(s, 61_000);
    expect(s.phase).toBe('open');
  });

  it('after the cool-down one retry goes out (half-open); a second waits; success closes it', () => {
    let s = fail(fail(fail(CLOSED, 0), 1_000), 2_000);
    expect(admit(s, 31_999, CFG).allowed).toBe(false);
    const probe = admit(s, 32_000, CFG);
    expect(probe).toMatchObject({ allowed: true, probe: true });
    s = probe.state;
    expect(s.phase).toBe('half-open');
    expect(admit(s, 32_500, CFG).allowed).toBe(false);
    s = recordSuccess(s);
    expect(s).toEqual(CLOSED);
    expect(admit(s, 33_000, CFG)).toMatchObject({ allowed: true, probe: false });
  });

  it('a failed retry opens it again for a full cool-down', () => {
    let s = fail(fail(fail(CLOSED, 0), 1_000), 2_000);
    s = admit(s, 40_000, CFG).state;
    s = fail(s, 41_000, 'server-error');
    expect(s).toMatchObject({ phase: 'open', openedAt: 41_000 });
    if (s.phase === 'open') expect(s.reason).toMatch(/retry failed/);
    expect(admit(s, 70_999, CFG).allowed).toBe(false);
    expect(admit(s, 71_000, CFG)).toMatchObject({ allowed: true, probe: true });
  });

  it('a flatten always goes out, even open, and does not use up the retry', () => {
    const s = fail(fail(fail(CLOSED, 0), 1_000), 2_000);
    expect(admit(s, 3_000, CFG, { flatten: true })).toMatchObject({ allowed: true, probe: false, state: s });
  });

  it('a success while closed changes nothing; the state is never mutated', () => {
    const s = fail(CLOSED, 0);
    expect(recordSuccess(s)).toBe(s);
    expect(CLOSED.phase === 'closed' && CLOSED.failures.length).toBe(0);
  });

  it('classifies rejects, timeouts and 5xx as failures, a 200 as none', () => {
    expect(classifyExecutionFailure({ httpStatus: 503 })).toBe('server-error');
    expect(classifyExecutionFailure({ timedOut: true })).toBe('timeout');
    expect(classifyExecutionFailure({ httpStatus: 422, rejected: true })).toBe('reject');
    expect(classifyExecutionFailure({ httpStatus: 200 })).toBeNull();
  });
});
