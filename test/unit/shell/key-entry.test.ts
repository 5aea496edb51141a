// What the key window accepts: trimmed, non-empty keys of a sane length with no whitespace inside;
// a refusal names the field to fix and never repeats the value.
import { describe, expect, it } from 'vitest';
import { KEY_MAX_LENGTH, validateKeySubmission } from '../../../src/main/shell/key-entry';

const KEY_ID = 'PKTESTKEY0123456789A';
const SECRET = 'sEcReTkEy0123456789abcdefghijklmnopqrstu';

describe('validating entered keys', () => {
  it('when the keys are pasted with surrounding blanks then they are trimmed and accepted', () => {
    expect(validateKeySubmission({ keyId: `  ${KEY_ID}\n`, secretKey: `\t${SECRET} `, polygonKey: '' })).toEqual({
      ok: true,
      keys: { keyId: KEY_ID, secretKey: SECRET, polygonKey: null },
    });
  });

  it('when a Polygon key is given then it is kept', () => {
    const checked = validateKeySubmission({ keyId: KEY_ID, secretKey: SECRET, polygonKey: ' polygonkey123456 ' });
    expect(checked).toMatchObject({ ok: true, keys: { polygonKey: 'polygonkey123456' } });
  });

  const refusals: Array<[string, unknown, string, RegExp]> = [
    ['the key id is empty', { keyId: '   ', secretKey: SECRET }, 'keyId', /^Alpaca key ID is required/],
    ['the key id is missing', { secretKey: SECRET }, 'keyId', /^Alpaca key ID is required/],
    ['the secret is missing', { keyId: KEY_ID }, 'secretKey', /^Alpaca secret key is required/],
    ['the secret has a space inside', { keyId: KEY_ID, secretKey: 'abcd efgh ijkl' }, 'secretKey', /^Alpaca secret key must not contain spaces/],
    ['the secret has a line break inside', { keyId: KEY_ID, secretKey: 'abcdefgh\nijkl' }, 'secretKey', /^Alpaca secret key must not contain spaces/],
    ['the key id is too short', { keyId: 'PK1', secretKey: SECRET }, 'keyId', /^Alpaca key ID must be 8 to 256 characters long \(it is 3\)/],
    ['the Polygon key is too long', { keyId: KEY_ID, secretKey: SECRET, polygonKey: 'p'.repeat(KEY_MAX_LENGTH + 1) }, 'polygonKey', /^Polygon API key must be 8 to 256/],
    ['the key id is not text', { keyId: 12345678, secretKey: SECRET }, 'keyId', /^Alpaca key ID must be text/],
    ['the secret has non-ASCII characters', { keyId: KEY_ID, secretKey: 'sécretkey1234' }, 'secretKey', /^Alpaca secret key contains characters/],
    ['the secret repeats the key id', { keyId: KEY_ID, secretKey: KEY_ID }, 'secretKey', /^Alpaca secret key is the same as the Alpaca key ID/],
  ];
  for (const [when, input, field, message] of refusals) {
    it(`when ${when} then it is refused naming the ${field} field`, () => {
      const checked = validateKeySubmission(input);
      expect(checked.ok).toBe(false);
      if (checked.ok) return;
      expect(checked.field).toBe(field);
      expect(checked.message).toMatch(message);
      expect(checked.message).not.toContain(SECRET);
    });
  }

  it('when the submission is not an object then the key id is asked for', () => {
    for (const input of [null, undefined, 'PK123', 42]) expect(validateKeySubmission(input)).toMatchObject({ ok: false, field: 'keyId' });
  });
});
