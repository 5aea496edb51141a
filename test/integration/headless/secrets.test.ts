// Issue 12, finding 2: a vendor error that echoes the credentials must not reach the socket. The
// bridge scrubs every configured secret out of every event and response, whatever produced it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/main/config/config';
import { createEngine, type Engine } from '../../../src/main/app/compose';
import { SimulatedClock } from '../../../src/main/engine/clock';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import type { FeedSink, MarketFeed } from '../../../src/main/data/feed';
import { startHeadlessServer, type HeadlessServer } from '../../../src/main/headless/server';
import { createMemoryLogger } from '../../../src/main/logging/logger';
import { fail, ok } from '../../../src/shared/contract';
import { openSocket } from '../../helpers/socket';
import { fakeHost } from './fake-host';

const TOKEN = 'secrets-token-0123456789';
const SECRET = 'pk_TESTSECRET_0123456789abcdef';
let server: HeadlessServer | null = null;
let engine: Engine | null = null;

afterEach(async () => {
  await server?.close();
  await engine?.stop();
  server = null;
  engine = null;
});

function rendererDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'renderer-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>cockpit</title>');
  return dir;
}

/** A vendor feed whose auth fails with an error that quotes the key back, as some vendors do. */
class EchoingFeed implements MarketFeed {
  readonly id = 'polygon';
  readonly label = 'Polygon (test)';
  readonly simulated = false;
  async start(sink: FeedSink): Promise<void> {
    sink.health('failed', `auth failed: {"status":"error","apiKey":"${SECRET}"} GET /v2/aggs?apiKey=${SECRET}`);
  }
  async stop(): Promise<void> {}
}

describe('secrets in bus payloads (issue 12: secrets in bus payloads)', () => {
  it('a feed error that echoes the API key reaches the socket client as [REDACTED], in events and responses', async () => {
    const config = defaultConfig({ TRADING_POLYGON_API_KEY: SECRET, TRADING_RETRAIN_MINUTES: '1440' });
    const calendar = new NyseCalendar();
    const clock = new SimulatedClock(calendar.sessionOnOrAfter('2025-03-03').open);
    engine = createEngine(config, { feed: { feed: new EchoingFeed(), clock }, clockTickMs: 0, signalGenerators: false, logger: createMemoryLogger([SECRET]) });
    server = await startHeadlessServer({ engine, rendererDir: rendererDir(), port: 0, token: TOKEN, logger: createMemoryLogger([SECRET]) });
    const s = await openSocket(`ws://127.0.0.1:${server.port}/ws`);
    s.send({ type: 'auth', token: TOKEN });
    await s.next((m) => m.type === 'auth.ok');

    await engine.start();
    const health = await s.next((m) => m.type === 'event' && m.event === 'feed.health' && (m.payload as { state: string }).state === 'failed');
    expect((health as { payload: { detail: string } }).payload.detail).toContain('[REDACTED]');

    s.send({ type: 'request', id: 1, channel: 'session.status', payload: {} });
    const status = await s.next((m) => m.type === 'response' && m.id === 1);
    expect(status).toMatchObject({ result: { ok: true, data: { feed: { state: 'failed', detail: expect.stringContaining('[REDACTED]') } } } });

    const everything = JSON.stringify(s.messages);
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(encodeURIComponent(SECRET));
    s.close();
  });

  it('whatever the source (an answer, an error text, an object key), the socket never carries a configured secret', async () => {
    const host = fakeHost();
    host.secretValues = [SECRET, 'second"secret\\with/escapes'];
    host.answer = (channel) =>
      channel === 'app.info'
        ? ok({ nested: [{ deep: { message: `key=${SECRET}` } }], [SECRET]: 'as a key', other: 'second"secret\\with/escapes' })
        : fail('REFUSED', `vendor said: bad key ${SECRET}`);
    server = await startHeadlessServer({ engine: host, rendererDir: rendererDir(), port: 0, token: TOKEN, logger: createMemoryLogger() });
    const s = await openSocket(`ws://127.0.0.1:${server.port}/ws`);
    const raw: string[] = [];
    s.ws.on('message', (data) => raw.push(data.toString()));
    s.send({ type: 'auth', token: TOKEN });
    await s.next((m) => m.type === 'auth.ok');
    host.publish('app.notice', { level: 'error', code: 'feed.auth', message: `401 for ${SECRET}`, at: 1 });
    s.send({ type: 'request', id: 1, channel: 'app.info', payload: {} });
    s.send({ type: 'request', id: 2, channel: 'trading.resume', payload: { confirm: true } });
    await s.next((m) => m.type === 'event' && m.event === 'app.notice');
    await s.next((m) => m.type === 'response' && m.id === 2);
    const info = await s.next((m) => m.type === 'response' && m.id === 1);
    expect(info).toMatchObject({ result: { ok: true, data: { '[REDACTED]': 'as a key', other: '[REDACTED]' } } });
    for (const text of raw) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('second\\"secret');
    }
    expect(raw.join('\n')).toContain('[REDACTED]');
    s.close();
  });
});
