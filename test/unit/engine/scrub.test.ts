// Issue 12, finding 2: the scrubber the bridges run every outgoing event and answer through.
import { describe, expect, it } from 'vitest';
import { REDACTED, scrubSecrets, scrubSecretsInText } from '../../../src/main/engine/scrub';

const KEY = 'AKIDTESTKEY012345';
const ODD = 'se"cr\\et/+=&';

describe('scrubbing configured secrets out of bridge payloads (issue 12: secrets in bus payloads)', () => {
  it('replaces raw, JSON-escaped and URL-encoded forms in strings and keys at any depth', () => {
    const payload = {
      detail: `401 for ${KEY}`,
      body: JSON.stringify({ secret: ODD }),
      url: `https://vendor.example/v1?apiKey=${encodeURIComponent(ODD)}`,
      list: [[{ [KEY]: [KEY, 1, true, null] }]],
      at: 5,
    };
    const out = scrubSecrets(payload, [KEY, ODD]);
    const text = JSON.stringify(out);
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('se\\"cr');
    expect(text).not.toContain(encodeURIComponent(ODD));
    expect(out).toEqual({
      detail: `401 for ${REDACTED}`,
      body: `{"secret":"${REDACTED}"}`,
      url: `https://vendor.example/v1?apiKey=${REDACTED}`,
      list: [[{ [REDACTED]: [REDACTED, 1, true, null] }]],
      at: 5,
    });
    // The input is left as it was.
    expect(payload.detail).toBe(`401 for ${KEY}`);
  });

  it('keeps a "__proto__" key a plain property and never touches the prototype', () => {
    const payload = JSON.parse(`{"__proto__": {"polluted": "${KEY}"}, "a": "${KEY}"}`) as Record<string, unknown>;
    const out = scrubSecrets(payload, [KEY]) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(out)).toBe(`{"__proto__":{"polluted":"${REDACTED}"},"a":"${REDACTED}"}`);
  });

  it('scrubs serialized text, and a payload nested past the depth bound is withheld rather than walked', () => {
    expect(scrubSecretsInText(`{"m":"${JSON.stringify(ODD).slice(1, -1)}"}`, [ODD])).toBe(`{"m":"${REDACTED}"}`);
    let deep: unknown = KEY;
    for (let i = 0; i < 200; i++) deep = { d: deep };
    expect(JSON.stringify(scrubSecrets(deep, [KEY]))).not.toContain(KEY);
  });
});
