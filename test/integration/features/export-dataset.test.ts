// `cockpit export-dataset` on the real SPY month: the Arrow file reads back to the engine's numbers.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/main/cli';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { nyDateKey } from '../../../src/main/calendar/ny-time';
import { parseNinjaTrader } from '../../../src/main/data/import/formats';
import { readDataset, type Dataset } from '../../../src/main/features/dataset';
import { FeatureEngine } from '../../../src/main/features/feature-engine';
import { FEATURE_NAMES, FEATURE_SPEC } from '../../../src/main/features/spec';
import { readDailyCloseCsv } from '../../../src/main/features/dataset';
import { readFileSync } from 'node:fs';
import { SPY_FILE, VIX_FILE, readSpy } from '../../helpers/data';

let ds: Dataset;
let exportJson: Record<string, unknown>;

async function cli(argv: string[], env: Record<string, string>) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { env, cwd: '/nonexistent' }, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  if (code !== 0) throw new Error(`cli ${argv[0]} exited ${code}: ${err}`);
  return out;
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'export-'));
  const env = { TRADING_DB_PATH: join(dir, 'history.sqlite') };
  await cli(['import', SPY_FILE, '--format', 'ninjatrader', '--symbol', 'SPY'], env);
  const out = join(dir, 'spy.arrow');
  exportJson = JSON.parse(await cli(['export-dataset', '--symbols', 'SPY', '--from', '2011-01-03', '--to', '2011-01-31', '--out', out, '--vix', VIX_FILE, '--json'], env)) as Record<string, unknown>;
  ds = readDataset(out);
}, 60_000);

describe('export-dataset', () => {
  it('writes every regular bar of the month with the feature spec in the file', () => {
    expect(exportJson).toMatchObject({ ok: true, rows: 7_800 });
    expect(ds.meta.rows).toBe(7_800);
    expect(ds.meta.spec).toEqual(JSON.parse(JSON.stringify(FEATURE_SPEC)));
    expect(ds.features).toHaveLength(FEATURE_NAMES.length);
    expect(ds.meta.vix).toBe('series');
  });

  it('reads back to the same numbers the feature engine computes (as Float32)', () => {
    const engine = new FeatureEngine(new NyseCalendar());
    engine.setVix(readDailyCloseCsv(readFileSync(VIX_FILE, 'utf8')));
    let i = 0;
    let compared = 0;
    for (const r of parseNinjaTrader(readSpy(), 'SPY')) {
      const row = engine.onBar(r.bar!);
      if (!row) continue;
      expect(ds.start[i]).toBe(r.bar!.start);
      expect(ds.symbol[i]).toBe('SPY');
      for (let f = 0; f < FEATURE_NAMES.length; f++) {
        const want = Math.fround(row.values[f]!);
        const got = ds.features[f]![i]!;
        if (!Object.is(got, want)) throw new Error(`${FEATURE_NAMES[f]} at row ${i}: file ${got}, engine ${want}`);
        compared++;
      }
      i++;
    }
    expect(i).toBe(7_800);
    expect(compared).toBe(7_800 * FEATURE_NAMES.length);
  });

  it('labels never look across the session close', () => {
    const fwd1 = ds.labels[0]!;
    const fwd15 = ds.labels[2]!;
    for (let i = 0; i < ds.meta.rows; i++) {
      const day = nyDateKey(ds.start[i]!);
      const next = i + 1 < ds.meta.rows ? nyDateKey(ds.start[i + 1]!) : null;
      if (next !== day) expect(fwd1[i]).toBeNaN(); // the session's last bar has no next-bar label
      const later = i + 15 < ds.meta.rows ? nyDateKey(ds.start[i + 15]!) : null;
      if (later !== day) expect(fwd15[i]).toBeNaN();
      else expect(fwd15[i]).not.toBeNaN();
    }
  });

  it('is deterministic: the same export twice is byte-identical in content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'export2-'));
    const env = { TRADING_DB_PATH: join(dir, 'history.sqlite') };
    await cli(['import', SPY_FILE, '--format', 'ninjatrader', '--symbol', 'SPY'], env);
    await cli(['export-dataset', '--symbols', 'SPY', '--from', '2011-01-03', '--to', '2011-01-31', '--out', join(dir, 'a.arrow'), '--vix', VIX_FILE], env);
    const again = readDataset(join(dir, 'a.arrow'));
    for (let f = 0; f < FEATURE_NAMES.length; f++) expect(Buffer.from(again.features[f]!.buffer).equals(Buffer.from(ds.features[f]!.buffer))).toBe(true);
  });
});
