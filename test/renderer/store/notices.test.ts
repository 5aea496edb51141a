// The notices store: engine notices and failed requests, newest first, capped.
import { describe, expect, it } from 'vitest';
import { noticesSelectors } from '../../../src/renderer/store/notices/selectors';
import { createNoticesStore } from '../../../src/renderer/store/notices/store';
import { T0 } from '../fakes';

describe('notices store', () => {
  it('when more notices arrive than the capacity then only the newest are kept, newest first', () => {
    const notices = createNoticesStore({ capacity: 3 });
    for (let i = 1; i <= 5; i++) {
      notices.getState().noticeReceived({ level: 'info', code: `N${i}`, message: `notice ${i}`, at: T0 + i });
    }
    expect(noticesSelectors.notices(notices.getState()).map((n) => n.code)).toEqual(['N5', 'N4', 'N3']);
  });

  it('when a request fails then an error notice names the channel and keeps the stable code', () => {
    const notices = createNoticesStore({ now: () => T0 });
    notices.getState().requestFailed('trading.resume', { code: 'REFUSED', message: 'not halted' });
    expect(noticesSelectors.latest(notices.getState())).toMatchObject({
      level: 'error',
      code: 'REFUSED',
      message: 'trading.resume: not halted',
      at: T0,
      source: 'cockpit',
    });
    expect(noticesSelectors.errorCount(notices.getState())).toBe(1);
  });

  it('when the cockpit judges a job itself then its notice is stamped with the cockpit clock', () => {
    const notices = createNoticesStore({ now: () => T0 });
    notices.getState().noticeRaised({ level: 'error', code: 'WALK_FORWARD_FAILED', message: 'walk-forward failed: no rows' });
    expect(noticesSelectors.latest(notices.getState())).toMatchObject({ level: 'error', code: 'WALK_FORWARD_FAILED', at: T0, source: 'cockpit' });
  });

  it('when a notice is dismissed then only it goes away', () => {
    const notices = createNoticesStore();
    notices.getState().noticeReceived({ level: 'warn', code: 'A', message: 'a', at: T0 });
    notices.getState().noticeReceived({ level: 'warn', code: 'B', message: 'b', at: T0 });
    const a = notices.getState().notices.find((n) => n.code === 'A');
    notices.getState().noticeDismissed(a?.id ?? -1);
    expect(notices.getState().notices.map((n) => n.code)).toEqual(['B']);
    notices.getState().noticesCleared();
    expect(noticesSelectors.count(notices.getState())).toBe(0);
  });
});
