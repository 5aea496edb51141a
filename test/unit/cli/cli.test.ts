import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/main/cli';

async function cli(argv: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { env, cwd: '/nonexistent' }, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

describe('cockpit CLI', () => {
  it('--help lists the commands', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('simulate');
    expect(r.out).toContain('--json');
  });

  it('an unknown command exits 2 with the help', async () => {
    const r = await cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown command "frobnicate"');
  });

  it('simulate --json prints one JSON object with a deterministic summary', async () => {
    const a = await cli(['simulate', '--sessions', '1', '--seed', '5', '--json']);
    expect(a.code).toBe(0);
    const json = JSON.parse(a.out) as { simulated: boolean; bars: number; symbols: Array<{ symbol: string; close: number }> };
    expect(json.simulated).toBe(true);
    expect(json.bars).toBe(390 * json.symbols.length);
    const b = JSON.parse((await cli(['simulate', '--sessions', '1', '--seed', '5', '--json'])).out) as typeof json;
    expect(b.symbols).toEqual(json.symbols);
  });

  it('an invalid TRADING_ variable stops the command with exit 2, naming it', async () => {
    const r = await cli(['config', '--json'], { TRADING_LOG_LEVEL: 'loud' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('TRADING_LOG_LEVEL="loud"');
    expect(JSON.parse(r.out)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('config never prints a secret', async () => {
    const r = await cli(['config', '--json'], { TRADING_POLYGON_API_KEY: 'poly-secret-999' });
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('poly-secret-999');
    expect(r.out).toContain('[REDACTED]');
  });

  it('a bad flag is a usage error', async () => {
    const r = await cli(['simulate', '--sessions', 'many']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--sessions');
  });
});
