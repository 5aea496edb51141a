// Real time under test control, for the pacer: timeouts (and, unless turned off, immediates) run when
// the test advances time, in time order, ties in scheduling order.
import type { RealTimers } from '../../src/main/engine/pacer';

export function fakeTimers(options: { immediates?: boolean } = {}): RealTimers & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let queue: Array<{ at: number; fn: () => void; id: number }> = [];
  let id = 0;
  const add = (fn: () => void, ms: number): number => {
    const t = { at: now + ms, fn, id: ++id };
    queue.push(t);
    return t.id;
  };
  const drop = (h: unknown): void => {
    queue = queue.filter((t) => t.id !== h);
  };
  const immediates = options.immediates === false ? {} : { setImmediate: (fn: () => void) => add(fn, 0), clearImmediate: drop };
  return {
    now: () => now,
    setTimeout: (fn, ms) => add(fn, ms),
    clearTimeout: drop,
    ...immediates,
    pending: () => queue.length,
    advance(ms) {
      const end = now + ms;
      for (let guard = 0; guard < 1e6; guard++) {
        queue.sort((a, b) => a.at - b.at || a.id - b.id);
        const t = queue[0];
        if (!t || t.at > end) break;
        queue.shift();
        now = Math.max(now, t.at);
        t.fn();
      }
      now = end;
    },
  };
}
