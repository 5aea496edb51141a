// REST clients for 1-minute bar history, used by the vendor streams to fill the gap a reconnect
// left: Alpaca's /v2/stocks/{symbol}/bars and Polygon/Massive's /v2/aggs range endpoint, each
// following the vendor's pagination. Responses are checked with zod; keys never appear in errors.
import { z } from 'zod';
import type { Bar } from '../../../shared/domain';
import { parseRfc3339 } from './vendor-time';

/** Something that reveals a key only when asked (config's `Secret`). */
export interface SecretValue {
  reveal(): string;
}

/** A source of closed 1-minute bars whose start lies in [fromMs, toMs], in time order. */
export interface MinuteBarSource {
  fetchMinuteBars(symbol: string, fromMs: number, toMs: number, signal: AbortSignal): Promise<Bar[]>;
}

export type FetchFn = typeof fetch;

/** An expected failure of a REST call: its message is safe to show and log (no key, no query string). */
export class VendorRestError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'VendorRestError';
  }
}

// A runaway pager (a vendor bug, a token that never ends) must not spin forever during a reconnect.
const MAX_PAGES = 50;

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

async function errorBody(res: Response): Promise<string> {
  try {
    const text = (await res.text()).replace(/\s+/g, ' ').trim();
    return text.length > 160 ? `${text.slice(0, 160)}…` : text;
  } catch {
    return '';
  }
}

async function readJson(res: Response, what: string): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    throw new VendorRestError(`${what}: the response is not JSON`, res.status);
  }
}

function issueText(error: z.ZodError): string {
  const first = error.issues[0];
  return first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid';
}

const AlpacaRestBar = z.object({
  t: z.string(),
  o: z.number(),
  h: z.number(),
  l: z.number(),
  c: z.number(),
  v: z.number(),
  n: z.number().optional(),
  vw: z.number().optional(),
});
const AlpacaBarsPage = z.object({
  // Alpaca sends `"bars": null` when the window holds no bar.
  bars: z.array(AlpacaRestBar).nullish(),
  next_page_token: z.string().nullish(),
});

export interface AlpacaBarsClientOptions {
  /** Default https://data.alpaca.markets; a loopback fake in tests. */
  baseUrl?: string;
  keyId: SecretValue;
  secretKey: SecretValue;
  /** The data feed the bars come from; it must match the stream's, or a free plan gets a 403 for SIP. */
  feed: string;
  fetch?: FetchFn;
}

export class AlpacaBarsClient implements MinuteBarSource {
  private readonly baseUrl: string;
  private readonly fetchFn: FetchFn;

  constructor(private readonly options: AlpacaBarsClientOptions) {
    this.baseUrl = trimSlash(options.baseUrl ?? 'https://data.alpaca.markets');
    this.fetchFn = options.fetch ?? globalThis.fetch;
  }

  async fetchMinuteBars(symbol: string, fromMs: number, toMs: number, signal: AbortSignal): Promise<Bar[]> {
    const what = `Alpaca bars for ${symbol}`;
    const out: Bar[] = [];
    let pageToken: string | null = null;
    for (let page = 0; ; page++) {
      if (page >= MAX_PAGES) throw new VendorRestError(`${what}: more than ${MAX_PAGES} pages`, null);
      const url = new URL(`${this.baseUrl}/v2/stocks/${encodeURIComponent(symbol)}/bars`);
      url.searchParams.set('timeframe', '1Min');
      url.searchParams.set('start', new Date(fromMs).toISOString());
      url.searchParams.set('end', new Date(toMs).toISOString());
      url.searchParams.set('limit', '10000');
      url.searchParams.set('adjustment', 'raw');
      url.searchParams.set('feed', this.options.feed);
      url.searchParams.set('sort', 'asc');
      if (pageToken) url.searchParams.set('page_token', pageToken);
      const res = await this.fetchFn(url, {
        headers: {
          'APCA-API-KEY-ID': this.options.keyId.reveal(),
          'APCA-API-SECRET-KEY': this.options.secretKey.reveal(),
          accept: 'application/json',
        },
        signal,
      });
      if (!res.ok) throw new VendorRestError(`${what}: HTTP ${res.status} ${await errorBody(res)}`.trim(), res.status);
      const parsed = AlpacaBarsPage.safeParse(await readJson(res, what));
      if (!parsed.success) throw new VendorRestError(`${what}: unexpected response (${issueText(parsed.error)})`, res.status);
      for (const b of parsed.data.bars ?? []) {
        const start = parseRfc3339(b.t);
        if (!Number.isFinite(start)) throw new VendorRestError(`${what}: bad bar time ${JSON.stringify(b.t)}`, res.status);
        if (start < fromMs || start > toMs) continue;
        out.push({ symbol, timeframe: '1m', start, open: b.o, high: b.h, low: b.l, close: b.c, volume: b.v });
      }
      pageToken = parsed.data.next_page_token ?? null;
      if (!pageToken) break;
    }
    return out.sort((a, b) => a.start - b.start);
  }
}

const PolygonRestAgg = z.object({
  t: z.number().int(),
  o: z.number(),
  h: z.number(),
  l: z.number(),
  c: z.number(),
  v: z.number(),
  vw: z.number().optional(),
  n: z.number().optional(),
});
const PolygonAggsPage = z.object({
  results: z.array(PolygonRestAgg).nullish(),
  next_url: z.string().nullish(),
});

export interface PolygonAggsClientOptions {
  /** Default https://api.polygon.io; a loopback fake in tests. */
  baseUrl?: string;
  apiKey: SecretValue;
  fetch?: FetchFn;
}

export class PolygonAggsClient implements MinuteBarSource {
  private readonly baseUrl: string;
  private readonly fetchFn: FetchFn;

  constructor(private readonly options: PolygonAggsClientOptions) {
    this.baseUrl = trimSlash(options.baseUrl ?? 'https://api.polygon.io');
    this.fetchFn = options.fetch ?? globalThis.fetch;
  }

  async fetchMinuteBars(symbol: string, fromMs: number, toMs: number, signal: AbortSignal): Promise<Bar[]> {
    const what = `Polygon aggregates for ${symbol}`;
    const out: Bar[] = [];
    let url: URL | null = new URL(`${this.baseUrl}/v2/aggs/ticker/${encodeURIComponent(symbol)}/range/1/minute/${fromMs}/${toMs}`);
    url.searchParams.set('sort', 'asc');
    url.searchParams.set('limit', '50000');
    for (let page = 0; url; page++) {
      if (page >= MAX_PAGES) throw new VendorRestError(`${what}: more than ${MAX_PAGES} pages`, null);
      // next_url comes back without the key; it is added here on every page.
      url.searchParams.set('apiKey', this.options.apiKey.reveal());
      // Raw prices on every page (Polygon's default is split-adjusted), like its live stream and Alpaca's
      // backfill (adjustment=raw): adjusted history would not meet the live bars.
      url.searchParams.set('adjusted', 'false');
      const res = await this.fetchFn(url, { headers: { accept: 'application/json' }, signal });
      if (!res.ok) throw new VendorRestError(`${what}: HTTP ${res.status} ${await errorBody(res)}`.trim(), res.status);
      const parsed = PolygonAggsPage.safeParse(await readJson(res, what));
      if (!parsed.success) throw new VendorRestError(`${what}: unexpected response (${issueText(parsed.error)})`, res.status);
      for (const a of parsed.data.results ?? []) {
        if (a.t < fromMs || a.t > toMs) continue;
        out.push({ symbol, timeframe: '1m', start: a.t, open: a.o, high: a.h, low: a.l, close: a.c, volume: a.v });
      }
      url = parsed.data.next_url ? this.rebase(parsed.data.next_url, what) : null;
    }
    return out.sort((a, b) => a.start - b.start);
  }

  /**
   * The next page on our configured host: the key is only ever sent to the base URL the caller
   * chose, never to whatever host a response names.
   */
  private rebase(nextUrl: string, what: string): URL {
    let next: URL;
    try {
      next = new URL(nextUrl, this.baseUrl);
    } catch {
      throw new VendorRestError(`${what}: unusable next_url`, null);
    }
    return new URL(`${this.baseUrl}${next.pathname}${next.search}`);
  }
}
