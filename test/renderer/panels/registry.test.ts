// The panel registry: the Models panel sits as a background tab beside Notices, and every menu
// command that brings a panel forward names a panel that exists.
import { describe, expect, it } from 'vitest';
import { panelRegistry } from '../../../src/renderer/panels/registry';
import { PANEL_COMMANDS } from '../../../src/renderer/store/ui/initialState';

describe('panel registry', () => {
  it('when the layout is built then Models joins the Notices group as a background tab and Notices stays in front', () => {
    expect(panelRegistry.models.placement).toEqual({ referencePanel: 'notices', direction: 'within' });
    expect(panelRegistry.models.inactive).toBe(true);
    expect('inactive' in panelRegistry.notices).toBe(false);
  });

  it('when the layout is built then the Blotter is a background tab in the Notices group too', () => {
    expect(panelRegistry.blotter.placement).toEqual({ referencePanel: 'notices', direction: 'within' });
    expect(panelRegistry.blotter.inactive).toBe(true);
  });

  it('when the layout is built then the Signals panel is a background tab next to the Blotter', () => {
    expect(panelRegistry.signals.placement).toEqual({ referencePanel: 'notices', direction: 'within' });
    expect(panelRegistry.signals.inactive).toBe(true);
    const ids = Object.keys(panelRegistry);
    expect(ids.indexOf('signals')).toBe(ids.indexOf('blotter') + 1);
  });

  it('when the layout is built then the Backtest panel is a background tab beside the chart, and the menu command brings it forward', () => {
    expect(panelRegistry.backtest.placement).toEqual({ referencePanel: 'chart', direction: 'within' });
    expect(panelRegistry.backtest.inactive).toBe(true);
    expect(PANEL_COMMANDS['backtest.open']).toBe('backtest');
  });

  it('when a command brings a panel forward then that panel is in the registry', () => {
    for (const panel of Object.values(PANEL_COMMANDS)) expect(Object.keys(panelRegistry)).toContain(panel);
  });
});
