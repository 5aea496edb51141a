// The ui store: menu commands open one dialog at a time.
import { describe, expect, it } from 'vitest';
import { uiSelectors } from '../../../src/renderer/store/ui/selectors';
import { createUiStore } from '../../../src/renderer/store/ui/store';

describe('ui store', () => {
  it('when a second menu command arrives then its dialog replaces the open one, and closing clears it', () => {
    const ui = createUiStore();
    ui.getState().uiCommandReceived('backtest.open');
    ui.getState().uiCommandReceived('models.open');
    expect(uiSelectors.dialog(ui.getState())).toBe('models.open');
    ui.getState().dialogClosed();
    expect(uiSelectors.dialog(ui.getState())).toBeNull();
  });

  it('when the trader presses the header Import button then the import dialog opens', () => {
    const ui = createUiStore();
    ui.getState().dialogOpened('import.open');
    expect(uiSelectors.dialog(ui.getState())).toBe('import.open');
  });
});
