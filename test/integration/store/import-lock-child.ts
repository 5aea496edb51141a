// Child process for the import write-lock test: writes a NinjaTrader file of about N extended-hours
// minute rows (04:00–20:00 New York) into a folder, then imports it from disk into the SQLite file
// given, and prints one JSON line: rows, inserted, the import's wall time and when each phase began.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { checkImportFile, openImportSource } from '../../../src/main/data/import/access';
import { importHistory } from '../../../src/main/data/import/importer';
import { openDatabase } from '../../../src/main/store/database';
import { HistoryStore } from '../../../src/main/store/history-store';

const [dir, dbPath, rowsArg, fileArg] = process.argv.slice(2) as [string, string, string, string | undefined];
const calendar = new NyseCalendar();
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function writeMinuteFile(path: string, rows: number): number {
  const out = openSync(path, 'w');
  let n = 0;
  for (const d of calendar.tradingDays('2005-01-03', '2039-12-31')) {
    if (n >= rows) break;
    const s = calendar.session(d)!;
    let chunk = '';
    for (let t = s.preOpen; t < s.postClose && n < rows; t += 60_000, n++) {
      const end = new Date(t + 60_000);
      const stamp = `${end.getUTCFullYear()}${pad(end.getUTCMonth() + 1)}${pad(end.getUTCDate())} ${pad(end.getUTCHours())}${pad(end.getUTCMinutes())}00`;
      const p = 100 + (n % 97) / 10;
      chunk += `${stamp};${p.toFixed(2)};${(p + 0.5).toFixed(2)};${(p - 0.5).toFixed(2)};${(p + 0.1).toFixed(2)};${1000 + (n % 13)}\n`;
    }
    writeSync(out, chunk);
  }
  closeSync(out);
  return n;
}

const file = fileArg ?? join(dir, 'minutes.txt');
if (!fileArg) writeMinuteFile(file, Number(rowsArg));
const db = openDatabase(dbPath);
const source = checkImportFile(file, { roots: 'anywhere' });
const fd = openImportSource(source);
const phases: Record<string, number> = {};
process.stdout.write('started\n');
const t0 = performance.now();
try {
  const report = importHistory(new HistoryStore(db), calendar, {
    file: source.name,
    fd,
    size: source.size,
    format: 'ninjatrader',
    symbol: 'SPY',
    onProgress: (_f, phase) => (phases[phase] ??= Math.round(performance.now() - t0)),
  });
  const ms = Math.round(performance.now() - t0);
  process.stdout.write(`${JSON.stringify({ rows: report.rows, inserted: report.inserted, unchanged: report.unchanged, derived: report.derived, ms, phases })}\n`);
} finally {
  closeSync(fd);
  db.close();
}
