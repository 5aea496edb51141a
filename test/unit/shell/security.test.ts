// The pure rules behind the window's lock-down: the policy text, what counts as the app's own
// page, and which links may leave the app.
import { describe, expect, it } from 'vitest';
import { buildContentSecurityPolicy, isSafeExternalUrl, resolveAppLocation } from '../../../src/main/shell/security';

describe('content security policy', () => {
  it('when built for production then scripts come only from the app and nothing is eval-ed', () => {
    const policy = buildContentSecurityPolicy();
    expect(policy).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; " +
        "frame-ancestors 'none'",
    );
  });

  it('when built for an https dev server then its wss socket is allowed', () => {
    const policy = buildContentSecurityPolicy('https://127.0.0.1:5443/');
    expect(policy).toContain("connect-src 'self' https://127.0.0.1:5443 wss://127.0.0.1:5443");
    expect(policy).not.toContain('unsafe-eval');
  });
});

describe('the app page', () => {
  it('when served from disk then only the built index.html (any hash) is the app', () => {
    const app = resolveAppLocation('/opt/cockpit/out/renderer/index.html');
    expect(app.kind).toBe('file');
    expect(app.isAppUrl('file:///opt/cockpit/out/renderer/index.html#/chart')).toBe(true);
    expect(app.isAppUrl('file:///opt/cockpit/out/renderer/other.html')).toBe(false);
    expect(app.isAppUrl('file:///etc/passwd')).toBe(false);
    expect(app.isAppUrl('https://opt/cockpit/out/renderer/index.html')).toBe(false);
    expect(app.isAppUrl('not a url')).toBe(false);
  });

  it('when served by the dev server then only its origin is the app', () => {
    const app = resolveAppLocation('/unused/index.html', 'http://localhost:5173/');
    expect(app.kind).toBe('dev');
    expect(app.isAppUrl('http://localhost:5173/src/main.tsx')).toBe(true);
    expect(app.isAppUrl('http://localhost:5174/')).toBe(false);
    expect(app.isAppUrl('https://localhost:5173/')).toBe(false);
  });

  it('when the dev server URL is not http(s) then the start fails', () => {
    expect(() => resolveAppLocation('/x/index.html', 'file:///tmp/index.html')).toThrow(/http/);
    expect(() => resolveAppLocation('/x/index.html', 'localhost:5173')).toThrow(/http/);
  });
});

describe('external links', () => {
  it('when a link is http(s) then it may open in the browser, any other scheme may not', () => {
    expect(isSafeExternalUrl('https://www.nasdaq.com/market-activity')).toBe(true);
    expect(isSafeExternalUrl('http://example.com')).toBe(true);
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'ms-settings:', 'data:text/html,x', '']) {
      expect(isSafeExternalUrl(url)).toBe(false);
    }
  });
});
