// The ui store: menu commands open one dialog at a time.
import { describe, expect, it } from 'vitest';
import { uiSelectors } from '../../../src/renderer/store/ui/selectors';
import { createUiStore } from '../../../src/renderer/store/ui/store';

describe('ui store', () => {
  it('when the menu opens the import dialog then closing clears it', () => {
    const ui = createUiStore();
    ui.getState().uiCommandReceived('import.open');
    expect(uiSelectors.dialog(ui.getState())).toBe('import.open');
    ui.getState().dialogClosed();
    expect(uiSelectors.dialog(ui.getState())).toBeNull();
  });

  it('when the menu asks for the backtest then the Backtest panel is asked to the front and an open dialog closes', () => {
    const ui = createUiStore();
    ui.getState().uiCommandReceived('import.open');
    ui.getState().uiCommandReceived('backtest.open');
    expect(uiSelectors.dialog(ui.getState())).toBeNull();
    expect(uiSelectors.panelFocus(ui.getState())).toEqual({ panel: 'backtest', seq: 1 });
  });

  it('when the menu asks for the models then the Models panel is asked to the front and an open dialog closes', () => {
    const ui = createUiStore();
    ui.getState().uiCommandReceived('import.open');
    ui.getState().uiCommandReceived('models.open');
    expect(uiSelectors.dialog(ui.getState())).toBeNull();
    expect(uiSelectors.panelFocus(ui.getState())).toEqual({ panel: 'models', seq: 1 });
  });

  it('when the same panel is asked for twice then each request is a new one', () => {
    const ui = createUiStore();
    ui.getState().uiCommandReceived('models.open');
    const first = uiSelectors.panelFocus(ui.getState());
    ui.getState().panelFocusRequested('models');
    const second = uiSelectors.panelFocus(ui.getState());
    expect(second).not.toBe(first);
    expect(second?.seq).toBeGreaterThan(first?.seq ?? 0);
  });

  it('when the trader presses the header Import button then the import dialog opens', () => {
    const ui = createUiStore();
    ui.getState().dialogOpened('import.open');
    expect(uiSelectors.dialog(ui.getState())).toBe('import.open');
  });
});
