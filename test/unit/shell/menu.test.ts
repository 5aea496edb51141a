// The menu's layout per platform and what its trading actions do when the engine refuses.
import { describe, expect, it, vi } from 'vitest';
import { buildMenuTemplate, createMenuActions, type MenuActions } from '../../../src/main/shell/menu';
import { fail } from '../../../src/shared/contract';
import { clickMenuItem, findMenuItem } from './fake-electron';

const noop: MenuActions = {
  killSwitch: vi.fn(),
  openBacktest: vi.fn(),
  trainModels: vi.fn(),
  openImport: vi.fn(),
  openModels: vi.fn(),
  openBrokerKeys: vi.fn(),
  forgetBrokerKeys: vi.fn(),
};
const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };

describe('menu layout', () => {
  it('when on Windows or Linux then the menus are File, Edit, Trading, Backtest, Models, View, Help', () => {
    const template = buildMenuTemplate({ isMac: false, appName: 'Trading Cockpit', actions: noop });
    expect(template.map((m) => m.label ?? m.role)).toEqual(['File', 'Edit', 'Trading', 'Backtest', 'Models', 'View', 'help']);
    expect(findMenuItem(template, ['File', 'quit'])).toBeDefined();
    expect(findMenuItem(template, ['help', 'about'])).toBeDefined();
  });

  it('when on macOS then the app menu comes first and holds About and Quit', () => {
    const template = buildMenuTemplate({ isMac: true, appName: 'Trading Cockpit', actions: noop });
    expect(template[0]?.label).toBe('Trading Cockpit');
    expect(findMenuItem(template, ['Trading Cockpit', 'about'])).toBeDefined();
    expect(findMenuItem(template, ['Trading Cockpit', 'quit'])).toBeDefined();
    expect(findMenuItem(template, ['Trading', 'Kill switch'])?.accelerator).toBe('CmdOrCtrl+Shift+K');
  });

  it('when the build is packaged then View offers no Reload, Force Reload or Toggle DevTools', () => {
    for (const isMac of [false, true]) {
      const template = buildMenuTemplate({ isMac, appName: 'Trading Cockpit', actions: noop, packaged: true });
      for (const role of ['reload', 'forceReload', 'toggleDevTools']) {
        expect(findMenuItem(template, ['View', role]), role).toBeUndefined();
      }
      expect(findMenuItem(template, ['View', 'resetZoom'])).toBeDefined();
      const view = findMenuItem(template, ['View']);
      const items = Array.isArray(view?.submenu) ? view.submenu : [];
      expect(items[0]?.type).not.toBe('separator');
    }
    const dev = buildMenuTemplate({ isMac: false, appName: 'Trading Cockpit', actions: noop });
    expect(findMenuItem(dev, ['View', 'toggleDevTools'])).toBeDefined();
  });

  it('when a trading item is clicked then its action runs', () => {
    const actions: MenuActions = { ...noop, killSwitch: vi.fn(), trainModels: vi.fn(), openBrokerKeys: vi.fn(), forgetBrokerKeys: vi.fn() };
    const template = buildMenuTemplate({ isMac: false, appName: 'Trading Cockpit', actions });
    clickMenuItem(findMenuItem(template, ['Trading', 'Kill switch']));
    clickMenuItem(findMenuItem(template, ['Models', 'Train now']));
    expect(actions.killSwitch).toHaveBeenCalledOnce();
    expect(actions.trainModels).toHaveBeenCalledOnce();
  });
});

describe('menu actions', () => {
  it('when the kill switch is refused then the trader sees an error notice, not silence', async () => {
    const notify = vi.fn();
    const engine = { dispatch: vi.fn(async () => fail('INTERNAL', 'risk engine unavailable')) };
    createMenuActions({ engine, notify, logger, now: () => 42 }).killSwitch();
    await vi.waitFor(() => expect(notify).toHaveBeenCalled());

    expect(engine.dispatch).toHaveBeenCalledWith('trading.killSwitch', { reason: 'kill switch (menu)' });
    expect(notify).toHaveBeenCalledWith('app.notice', {
      level: 'error',
      code: 'INTERNAL',
      message: 'risk engine unavailable',
      at: 42,
    });
  });

  it('when training is accepted then no notice is sent', async () => {
    const notify = vi.fn();
    const engine = { dispatch: vi.fn(async () => ({ ok: true as const, data: { jobId: 'j1' } })) };
    createMenuActions({ engine, notify, logger }).trainModels();
    await vi.waitFor(() => expect(engine.dispatch).toHaveBeenCalledWith('models.train', { reason: 'menu' }));
    await Promise.resolve();
    expect(notify).not.toHaveBeenCalled();
  });

  it('when the dispatcher rejects then the click still ends in a notice, never an unhandled rejection', async () => {
    const notify = vi.fn();
    const engine = { dispatch: vi.fn(async () => Promise.reject(new Error('bus closed'))) };
    createMenuActions({ engine, notify, logger, now: () => 7 }).trainModels();
    await vi.waitFor(() => expect(notify).toHaveBeenCalled());
    expect(notify.mock.calls[0]?.[1]).toMatchObject({ level: 'error', code: 'INTERNAL' });
  });
});
