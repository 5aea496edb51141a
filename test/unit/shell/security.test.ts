// The pure rules behind the window's lock-down: the policy text, what counts as the app's own
// page, and which links may leave the app.
import { describe, expect, it } from 'vitest';
import {
  buildContentSecurityPolicy,
  isAppPage,
  isDevToolsOrReloadShortcut,
  isSafeExternalUrl,
  resolveAppLocation,
} from '../../../src/main/shell/security';

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
  it('when served by the app protocol then only the app://cockpit origin is the app, file:// never is', () => {
    const app = resolveAppLocation();
    expect(app.kind).toBe('app');
    expect(app.entryUrl).toBe('app://cockpit/index.html');
    expect(app.isAppUrl('app://cockpit/index.html#/chart')).toBe(true);
    expect(app.isAppUrl('app://cockpit/')).toBe(true);
    for (const url of [
      'file:///opt/cockpit/out/renderer/index.html',
      'file:///etc/passwd',
      'app://keys/key-window.html',
      'app://cockpit.evil.example/index.html',
      'app://cockpit:8080/index.html',
      'app://user@cockpit/index.html',
      'https://cockpit/index.html',
      'not a url',
    ]) {
      expect(app.isAppUrl(url), url).toBe(false);
    }
  });

  it('when the key window checks its page then only app://keys/key-window.html (any hash) matches', () => {
    const page = 'app://keys/key-window.html';
    expect(isAppPage(page, 'app://keys/key-window.html#x')).toBe(true);
    expect(isAppPage(page, 'app://keys/other.html')).toBe(false);
    expect(isAppPage(page, 'app://cockpit/key-window.html')).toBe(false);
    expect(isAppPage(page, 'file:///opt/cockpit/out/preload/key-window.html')).toBe(false);
  });

  it('when served by the dev server then only its origin is the app', () => {
    const app = resolveAppLocation('http://localhost:5173/');
    expect(app.kind).toBe('dev');
    expect(app.isAppUrl('http://localhost:5173/src/main.tsx')).toBe(true);
    expect(app.isAppUrl('http://localhost:5174/')).toBe(false);
    expect(app.isAppUrl('https://localhost:5173/')).toBe(false);
    expect(app.isAppUrl('app://cockpit/index.html')).toBe(false);
  });

  it('when the dev server URL is not http(s) then the start fails', () => {
    expect(() => resolveAppLocation('file:///tmp/index.html')).toThrow(/http/);
    expect(() => resolveAppLocation('localhost:5173')).toThrow(/http/);
  });
});

describe('DevTools and reload shortcuts in a packaged build', () => {
  const key = (k: string, mods: Partial<Record<'shift' | 'control' | 'alt' | 'meta', boolean>> = {}) => ({
    type: 'keyDown' as const,
    key: k,
    shift: false,
    control: false,
    alt: false,
    meta: false,
    ...mods,
  });

  it('when F12, Ctrl+Shift+I, Cmd+Alt+I, F5 or Ctrl+R is pressed then it is a DevTools or reload shortcut', () => {
    for (const input of [key('F12'), key('I', { control: true, shift: true }), key('i', { meta: true, alt: true }), key('J', { control: true, shift: true }), key('F5'), key('r', { control: true }), key('R', { meta: true, shift: true })]) {
      expect(isDevToolsOrReloadShortcut(input), JSON.stringify(input)).toBe(true);
    }
  });

  it('when the trader copies, pastes or types then nothing is blocked', () => {
    for (const input of [key('c', { control: true }), key('v', { meta: true }), key('i'), key('r'), key('K', { control: true, shift: true }), { ...key('F12'), type: 'keyUp' as const }]) {
      expect(isDevToolsOrReloadShortcut(input), JSON.stringify(input)).toBe(false);
    }
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
