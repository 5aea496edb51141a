import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/main/config/secret';
import { createFileLogger, redact } from '../../../src/main/logging/logger';

describe('structured file logging', () => {
  it('writes one JSON object per line with scope and fields, and redacts secrets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'logs-'));
    const log = createFileLogger({ logId: `t-${Math.random()}`, dir, level: 'info', secrets: ['PK-ABCDEF-123'] });
    log.child('feed').info('connected with key PK-ABCDEF-123', { apiKey: 'whatever', symbols: 3, nested: { header: 'Bearer PK-ABCDEF-123' } });
    log.info('key object', { key: new Secret('PK-ABCDEF-123') });
    log.debug('not written at info level');
    const text = readFileSync(join(dir, 'cockpit.log'), 'utf8');
    expect(text).not.toContain('PK-ABCDEF-123');
    expect(text).not.toContain('not written');
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ level: 'info', scope: 'feed', msg: 'connected with key [REDACTED]', apiKey: '[REDACTED]', symbols: 3 });
    expect(JSON.stringify(lines[0]!.nested)).toContain('[REDACTED]');
  });

  it('rotates when the file passes its size and keeps a bounded number of files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'logs-'));
    const log = createFileLogger({ logId: `r-${Math.random()}`, dir, level: 'info', secrets: [], maxBytes: 2_000, keep: 2 });
    for (let i = 0; i < 200; i++) log.info(`line ${i}`, { pad: 'x'.repeat(50) });
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['cockpit.log', 'cockpit.log.1', 'cockpit.log.2']);
    expect(readFileSync(join(dir, 'cockpit.log'), 'utf8')).toContain('line 199');
  });

  it('redact masks secret-looking keys at any depth and leaves the rest', () => {
    expect(redact({ a: 1, password: 'x', inner: [{ token: 't', ok: 'fine' }] }, [])).toEqual({
      a: 1,
      password: '[REDACTED]',
      inner: [{ token: '[REDACTED]', ok: 'fine' }],
    });
  });
});
