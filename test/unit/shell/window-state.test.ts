// Window size and position survive a restart, and a broken file or a missing monitor never leaves
// the cockpit off screen.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BrowserWindow } from 'electron';
import {
  createWindowStateKeeper,
  placeWindow,
  readWindowState,
  WINDOW_STATE_FILE,
} from '../../../src/main/shell/window-state';

const LAPTOP = { workArea: { x: 0, y: 0, width: 1920, height: 1040 } };
const SIDE_MONITOR = { workArea: { x: 1920, y: 0, width: 2560, height: 1400 } };
const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cockpit-window-state-'));
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

const file = () => join(dir, WINDOW_STATE_FILE);
const keeper = (displays = [LAPTOP], debounceMs = 500) =>
  createWindowStateKeeper({
    userDataDir: dir,
    screen: { getAllDisplays: () => displays, getPrimaryDisplay: () => displays[0] ?? LAPTOP },
    logger,
    debounceMs,
  });

class FakeWindow extends EventEmitter {
  bounds = { x: 10, y: 20, width: 1400, height: 880 };
  maximized = false;
  isDestroyed = () => false;
  getNormalBounds = () => ({ ...this.bounds });
  isMaximized = () => this.maximized;
}

describe('reading the saved state', () => {
  it('when there is no file then the window opens 1440x900 centered on the primary display', () => {
    expect(keeper().placement).toEqual({ x: 240, y: 70, width: 1440, height: 900, isMaximized: false });
  });

  it('when the file is corrupt then the defaults are used', () => {
    writeFileSync(file(), '{"width": 1200, "hei');
    expect(readWindowState(file())).toBeNull();
    expect(keeper().placement).toEqual({ x: 240, y: 70, width: 1440, height: 900, isMaximized: false });
  });

  it('when the file has the wrong shape then the defaults are used', () => {
    for (const bad of [
      { width: 'wide', height: 900 },
      { width: 1200.5, height: 900 },
      { x: 10, width: 1200, height: 900 },
      [],
      null,
    ]) {
      writeFileSync(file(), JSON.stringify(bad));
      expect(readWindowState(file())).toBeNull();
    }
  });

  it('when the saved position is on a connected display then it is kept, maximized flag included', () => {
    writeFileSync(file(), JSON.stringify({ x: 2100, y: 50, width: 1600, height: 1000, isMaximized: true }));
    expect(keeper([LAPTOP, SIDE_MONITOR]).placement).toEqual({
      x: 2100,
      y: 50,
      width: 1600,
      height: 1000,
      isMaximized: true,
    });
  });

  it('when the saved position is off every display then the window is re-centered on the primary one', () => {
    writeFileSync(file(), JSON.stringify({ x: 2100, y: 50, width: 1600, height: 1000, isMaximized: false }));
    expect(keeper([LAPTOP]).placement).toEqual({ x: 160, y: 20, width: 1600, height: 1000, isMaximized: false });
  });

  it('when the saved size is larger than the display then it is shrunk to fit', () => {
    const placed = placeWindow({ width: 3000, height: 2000, isMaximized: false }, [LAPTOP], LAPTOP);
    expect(placed).toEqual({ x: 0, y: 0, width: 1920, height: 1040, isMaximized: false });
  });
});

describe('saving the state', () => {
  it('when the window is dragged then one write happens after it settles', () => {
    vi.useFakeTimers();
    const k = keeper();
    const window = new FakeWindow();
    k.track(window as unknown as BrowserWindow);

    for (const x of [100, 200, 300]) {
      window.bounds.x = x;
      window.emit('move');
    }
    expect(existsSync(file())).toBe(false);
    vi.advanceTimersByTime(500);

    expect(JSON.parse(readFileSync(file(), 'utf8'))).toEqual({ x: 300, y: 20, width: 1400, height: 880, isMaximized: false });
  });

  it('when the window closes then the state is written at once with the maximized flag', () => {
    const k = keeper();
    const window = new FakeWindow();
    k.track(window as unknown as BrowserWindow);
    window.maximized = true;
    window.emit('close');

    expect(JSON.parse(readFileSync(file(), 'utf8'))).toEqual({ x: 10, y: 20, width: 1400, height: 880, isMaximized: true });
    expect(readdirSync(dir)).toEqual([WINDOW_STATE_FILE]);
    expect(keeper().placement).toEqual({ x: 10, y: 20, width: 1400, height: 880, isMaximized: true });
  });

  it('when the keeper is detached then moves are no longer saved', () => {
    const k = keeper([LAPTOP], 0);
    const window = new FakeWindow();
    const detach = k.track(window as unknown as BrowserWindow);
    detach();
    window.emit('close');
    expect(existsSync(file())).toBe(false);
  });
});
