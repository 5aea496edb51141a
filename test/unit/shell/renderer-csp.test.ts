// The policy the renderer's index.html carries itself: it is the one that holds wherever the page is
// served from (the headless host in a browser, the dev server, app://cockpit/).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

function metaPolicy(): Map<string, string[]> {
  const html = readFileSync(resolve(__dirname, '../../../src/renderer/index.html'), 'utf8');
  const match = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
  if (match?.[1] === undefined) throw new Error('index.html has no CSP meta tag');
  const directives = new Map<string, string[]>();
  for (const part of match[1].split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name, sources);
  }
  return directives;
}

describe("the renderer page's own Content-Security-Policy", () => {
  it('when the page opens a connection then only its own origin is allowed, not ws:/wss: to any host', () => {
    expect(metaPolicy().get('connect-src')).toEqual(["'self'"]);
  });

  it('when any directive is read then no scheme-wide or wildcard source and no inline or eval script is allowed', () => {
    const policy = metaPolicy();
    for (const [name, sources] of policy) {
      for (const source of sources) {
        expect(['*', 'ws:', 'wss:', 'http:', 'https:', 'file:', 'app:', 'blob:'], `${name} ${source}`).not.toContain(source);
      }
    }
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
  });
});
