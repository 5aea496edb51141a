// The preload's whole footprint on the page: one key, `cockpit`, holding request and on.
import { describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => ({
  contextBridge: { exposeInMainWorld: vi.fn() },
  ipcRenderer: { invoke: vi.fn(), on: vi.fn(), send: vi.fn(), sendSync: vi.fn() },
}));
vi.mock('electron', () => electron);

describe('the preload', () => {
  it('when loaded then it exposes exactly one key, cockpit, with request and on and no ipcRenderer', async () => {
    await import('../../../src/preload/index');

    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledOnce();
    const [key, api] = electron.contextBridge.exposeInMainWorld.mock.calls[0] as [string, Record<string, unknown>];
    expect(key).toBe('cockpit');
    expect(Object.keys(api).sort()).toEqual(['on', 'request']);
    expect(Object.values(api).every((v) => typeof v === 'function')).toBe(true);
    // Loading alone talks to nobody.
    expect(electron.ipcRenderer.invoke).not.toHaveBeenCalled();
    expect(electron.ipcRenderer.send).not.toHaveBeenCalled();
    expect(electron.ipcRenderer.sendSync).not.toHaveBeenCalled();
  });
});
