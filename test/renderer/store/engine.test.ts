// The engine client: every failure is a Result and a notice, never an exception.
import { describe, expect, it } from 'vitest';
import { ok, type CockpitApi } from '../../../src/shared/contract';
import { createEngineClient } from '../../../src/renderer/store/engine';
import { createNoticesStore } from '../../../src/renderer/store/notices/store';
import { createFakeApi, T0 } from '../fakes';

describe('engine client', () => {
  it('when the engine refuses then the caller gets the error and a notice is filed', async () => {
    const notices = createNoticesStore({ now: () => T0 });
    const fake = createFakeApi({
      'trading.resume': () => ({ ok: false, error: { code: 'REFUSED', message: 'trading is not halted' } }),
    });
    const result = await createEngineClient(fake.api, notices).call('trading.resume', { confirm: true });
    expect(result).toEqual({ ok: false, error: { code: 'REFUSED', message: 'trading is not halted' } });
    expect(notices.getState().notices[0]).toMatchObject({ code: 'REFUSED', level: 'error' });
  });

  it('when the transport throws then the caller gets INTERNAL instead of an exception', async () => {
    const notices = createNoticesStore({ now: () => T0 });
    const throwing: CockpitApi = {
      request: () => Promise.reject(new Error('preload exploded')),
      on: () => () => {},
    };
    const result = await createEngineClient(throwing, notices).call('feed.pause', {});
    expect(result.ok).toBe(false);
    expect(result.ok ? null : result.error.code).toBe('INTERNAL');
    expect(notices.getState().notices[0]?.message).toBe('feed.pause: preload exploded');
  });

  it('when the engine answers then no notice is filed', async () => {
    const notices = createNoticesStore();
    const fake = createFakeApi({ 'feed.pause': () => ok({ paused: true }) });
    const result = await createEngineClient(fake.api, notices).call('feed.pause', {});
    expect(result).toEqual({ ok: true, data: { paused: true } });
    expect(notices.getState().notices).toHaveLength(0);
  });
});
