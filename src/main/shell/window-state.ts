// Remembers the cockpit window's size, position and maximized flag in `window-state.json` in the
// user data folder, and puts the window back somewhere visible when the displays have changed.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { BrowserWindow } from 'electron';
import type { ShellLogger } from './types';

export const WINDOW_STATE_FILE = 'window-state.json';
export const DEFAULT_WINDOW_SIZE = { width: 1440, height: 900 } as const;
/** Below this the chart, order ticket and signal list no longer fit side by side. */
export const MIN_WINDOW_SIZE = { width: 1024, height: 640 } as const;
/** How much of the window must lie on a display for the trader to grab and move it. */
const MIN_VISIBLE = { width: 100, height: 50 } as const;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface DisplayArea {
  workArea: Rect;
}

/** What is stored. Position is optional: a window that was never moved is simply centered. */
const SavedWindowStateSchema = z
  .object({
    x: z.number().int().optional(),
    y: z.number().int().optional(),
    width: z.number().int().min(1).max(100_000),
    height: z.number().int().min(1).max(100_000),
    isMaximized: z.boolean().default(false),
  })
  .refine((s) => (s.x === undefined) === (s.y === undefined), 'x and y come together');
export type SavedWindowState = z.output<typeof SavedWindowStateSchema>;

/** Where the window opens: always a concrete, visible rectangle. */
export interface WindowPlacement extends Rect {
  isMaximized: boolean;
}

/** The stored state, or null when the file is missing, unreadable or not a valid state. */
export function readWindowState(filePath: string, logger?: ShellLogger): SavedWindowState | null {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch {
    return null; // first start
  }
  try {
    const parsed = SavedWindowStateSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
    logger?.warn(`shell: ignoring invalid ${filePath}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  } catch {
    logger?.warn(`shell: ignoring unreadable ${filePath}`);
  }
  return null;
}

/** Atomic write (temp file + rename) so a crash mid-save never leaves half a JSON file. */
export function writeWindowState(filePath: string, state: SavedWindowState): void {
  mkdirSync(dirname(filePath), { recursive: true, mode: 0o700 });
  const temp = `${filePath}.${process.pid}.tmp`;
  // Owner-only, like every file in the data folder.
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`, { encoding: 'utf8', mode: 0o600 });
  renameSync(temp, filePath);
}

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

function clampSize(width: number, height: number, area: Rect): { width: number; height: number } {
  // The work area wins over the minimum: a window larger than a small screen cannot be used.
  return {
    width: Math.min(Math.max(width, MIN_WINDOW_SIZE.width), area.width),
    height: Math.min(Math.max(height, MIN_WINDOW_SIZE.height), area.height),
  };
}

function centerIn(area: Rect, width: number, height: number): Rect {
  return {
    x: Math.round(area.x + (area.width - width) / 2),
    y: Math.round(area.y + (area.height - height) / 2),
    width,
    height,
  };
}

/**
 * Turns the stored state into a rectangle on a display that exists now: kept as is when enough of
 * it is visible on some display, otherwise centered on the primary display (a monitor that was
 * unplugged must not leave the cockpit off screen).
 */
export function placeWindow(
  saved: SavedWindowState | null,
  displays: readonly DisplayArea[],
  primary: DisplayArea,
): WindowPlacement {
  const isMaximized = saved?.isMaximized ?? false;
  const wanted = saved ?? { ...DEFAULT_WINDOW_SIZE };
  if (saved?.x !== undefined && saved.y !== undefined) {
    const rect = { x: saved.x, y: saved.y, width: saved.width, height: saved.height };
    const host = displays.find((d) => {
      const o = overlap(rect, d.workArea);
      return o.width >= Math.min(MIN_VISIBLE.width, rect.width) && o.height >= Math.min(MIN_VISIBLE.height, rect.height);
    });
    if (host !== undefined) {
      const size = clampSize(rect.width, rect.height, host.workArea);
      return { x: rect.x, y: rect.y, ...size, isMaximized };
    }
  }
  const size = clampSize(wanted.width, wanted.height, primary.workArea);
  return { ...centerIn(primary.workArea, size.width, size.height), isMaximized };
}

export interface WindowStateKeeperOptions {
  userDataDir: string;
  screen: { getAllDisplays(): DisplayArea[]; getPrimaryDisplay(): DisplayArea };
  logger: ShellLogger;
  /** Resize and move fire many times per drag; one write after the drag settles is enough. */
  debounceMs?: number;
}

export interface WindowStateKeeper {
  readonly filePath: string;
  /** Where to open the window (read and validated once, when the keeper is made). */
  readonly placement: WindowPlacement;
  /** Saves on resize/move/maximize (debounced) and on close (at once). Returns a detach function. */
  track(window: BrowserWindow): () => void;
  /** Writes a pending save now. */
  flush(): void;
}

export function createWindowStateKeeper(options: WindowStateKeeperOptions): WindowStateKeeper {
  const { logger } = options;
  const debounceMs = options.debounceMs ?? 500;
  const filePath = join(options.userDataDir, WINDOW_STATE_FILE);
  const placement = placeWindow(
    readWindowState(filePath, logger),
    options.screen.getAllDisplays(),
    options.screen.getPrimaryDisplay(),
  );

  let pending: SavedWindowState | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (pending === null) return;
    const state = pending;
    pending = null;
    try {
      writeWindowState(filePath, state);
    } catch (error) {
      // Losing the window position is not worth interrupting a trading session for.
      logger.warn(`shell: could not save ${filePath}`, { error });
    }
  };

  const capture = (window: BrowserWindow): boolean => {
    if (window.isDestroyed()) return false;
    // Normal bounds, so that un-maximizing next time returns to the size the trader chose.
    const b = window.getNormalBounds();
    pending = { x: b.x, y: b.y, width: b.width, height: b.height, isMaximized: window.isMaximized() };
    return true;
  };

  return {
    filePath,
    placement,
    flush,
    track(window) {
      const schedule = (): void => {
        if (!capture(window)) return;
        if (timer !== null) clearTimeout(timer);
        timer = setTimeout(flush, debounceMs);
      };
      const onClose = (): void => {
        capture(window);
        flush();
      };
      window.on('resize', schedule);
      window.on('move', schedule);
      window.on('maximize', schedule);
      window.on('unmaximize', schedule);
      window.on('close', onClose);
      return () => {
        window.removeListener('resize', schedule);
        window.removeListener('move', schedule);
        window.removeListener('maximize', schedule);
        window.removeListener('unmaximize', schedule);
        window.removeListener('close', onClose);
      };
    },
  };
}
