// Paths to the real market data in ../shared/data (never copied into the repository).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHARED_DATA = resolve(process.env.SHARED_DATA_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data'));
export const SPY_FILE = resolve(SHARED_DATA, 'spy-1m-2011-01.ninjatrader.csv');
export const VIX_FILE = resolve(SHARED_DATA, 'vix-daily.csv');

export function readSpy(): string {
  if (!existsSync(SPY_FILE)) throw new Error(`real SPY data not found at ${SPY_FILE} (set SHARED_DATA_DIR)`);
  return readFileSync(SPY_FILE, 'utf8');
}
