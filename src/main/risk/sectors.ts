// The symbol → sector table the sector cap groups exposure by: the bundled GICS table, overridden or
// extended by the trader's own file (TRADING_SECTORS_FILE). A symbol in neither is its own sector.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { BUNDLED_SECTORS_CSV } from './sector-table';

/** A sectors file larger than this is refused (a table of every US listing is ~300 KB). */
export const MAX_SECTORS_FILE_BYTES = 4 * 1024 * 1024;

const SYMBOL = /^[A-Z][A-Z0-9.\-/]{0,14}$/;
const SECTOR = /^[\p{L}\p{N}][\p{L}\p{N} &,.'()/-]{0,63}$/u;

export class SectorTableError extends Error {}

/**
 * Parses `symbol,sector` lines (a `symbol,sector` header and `#` comments allowed). A bad line is an
 * error naming the source and the line number, never its text (the file is the trader's, but a
 * message may reach a log or the screen).
 */
export function parseSectorTable(text: string, source: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const comma = line.indexOf(',');
    const symbol = (comma < 0 ? line : line.slice(0, comma)).trim().toUpperCase();
    const sector = comma < 0 ? '' : line.slice(comma + 1).trim();
    if (i === 0 && symbol === 'SYMBOL' && sector.toLowerCase() === 'sector') return;
    if (!SYMBOL.test(symbol)) throw new SectorTableError(`${source} line ${i + 1}: the symbol is not a ticker (letters, digits, '.', '-', '/'; up to 15 characters)`);
    if (!SECTOR.test(sector)) throw new SectorTableError(`${source} line ${i + 1}: the sector must be 1–64 letters, digits, spaces or & , . ' ( ) / -`);
    out.set(symbol, sector);
  });
  return out;
}

/** The bundled table, with the trader's file (when given) laid over it. */
export function loadSectorTable(file?: string): ReadonlyMap<string, string> {
  const table = parseSectorTable(BUNDLED_SECTORS_CSV, 'the bundled sector table');
  if (file === undefined) return table;
  for (const [symbol, sector] of parseSectorTable(readSmallTextFile(file, MAX_SECTORS_FILE_BYTES), basename(file))) table.set(symbol, sector);
  return table;
}

function readSmallTextFile(file: string, maxBytes: number): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    throw new SectorTableError(`cannot open the sectors file ${basename(file)}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new SectorTableError(`the sectors file ${basename(file)} is not a regular file`);
    if (st.size > maxBytes) throw new SectorTableError(`the sectors file ${basename(file)} is larger than ${maxBytes} bytes`);
    const buf = Buffer.alloc(st.size);
    let at = 0;
    while (at < st.size) {
      const n = readSync(fd, buf, at, st.size - at, at);
      if (n === 0) break;
      at += n;
    }
    const text = buf.subarray(0, at).toString('utf8');
    if (text.includes('\u0000')) throw new SectorTableError(`the sectors file ${basename(file)} is not text`);
    return text;
  } finally {
    closeSync(fd);
  }
}
