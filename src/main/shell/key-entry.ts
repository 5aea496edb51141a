// What the broker-keys window may send to the main process and what it gets back, and the rules a
// key must meet. Pure (no Node, no Electron) so the key window's preload can bundle it too.

/** The key window's own two channels. They are not contract channels: keys never reach the engine bus. */
export const KEY_WINDOW_CHANNELS = {
  submit: 'broker-keys:submit',
  cancel: 'broker-keys:cancel',
} as const;

/** The form's fields, named as the trader sees them (messages use these names, never the values). */
export const KEY_FIELDS = {
  keyId: 'Alpaca key ID',
  secretKey: 'Alpaca secret key',
  polygonKey: 'Polygon API key',
} as const;
export type KeyField = keyof typeof KEY_FIELDS;

/** Alpaca key ids are 20 characters, secrets 40, Polygon keys 32; anything far outside is a paste mistake. */
export const KEY_MIN_LENGTH = 8;
export const KEY_MAX_LENGTH = 256;

/** What the key window submits. */
export interface KeySubmission {
  keyId: string;
  secretKey: string;
  /** Empty or absent: no Polygon key. */
  polygonKey?: string;
}

/** The answer to a submit: saved (the window closes), or why not and which field to fix. */
export type KeyWindowReply = { ok: true } | { ok: false; field: KeyField | null; message: string };

/** What the key window's preload puts on `window.brokerKeys`, and nothing else. */
export interface BrokerKeysApi {
  submit(keys: KeySubmission): Promise<KeyWindowReply>;
  cancel(): Promise<void>;
}

export interface CheckedKeys {
  keyId: string;
  secretKey: string;
  polygonKey: string | null;
}

export type KeyCheck = { ok: true; keys: CheckedKeys } | { ok: false; field: KeyField; message: string };

type FieldCheck = { ok: true; value: string | null } | { ok: false; message: string };

// Printable ASCII without the space: every vendor key we know is made of these.
const PRINTABLE = /^[\x21-\x7e]+$/;

/** Checks one field; `value: null` when an optional field was left empty. Never echoes the value. */
export function checkKeyField(field: KeyField, raw: unknown, required: boolean): FieldCheck {
  const name = KEY_FIELDS[field];
  if (raw === undefined || raw === null) {
    return required ? { ok: false, message: `${name} is required` } : { ok: true, value: null };
  }
  if (typeof raw !== 'string') return { ok: false, message: `${name} must be text` };
  const value = raw.trim();
  if (value === '') return required ? { ok: false, message: `${name} is required` } : { ok: true, value: null };
  if (/\s/.test(value)) return { ok: false, message: `${name} must not contain spaces or line breaks` };
  if (!PRINTABLE.test(value)) return { ok: false, message: `${name} contains characters no API key has` };
  if (value.length < KEY_MIN_LENGTH || value.length > KEY_MAX_LENGTH) {
    return { ok: false, message: `${name} must be ${KEY_MIN_LENGTH} to ${KEY_MAX_LENGTH} characters long (it is ${value.length})` };
  }
  return { ok: true, value };
}

/** Validates a submission from the key window (untrusted input): trimmed, non-empty, sane length, no whitespace inside. */
export function validateKeySubmission(input: unknown): KeyCheck {
  const record: Record<string, unknown> = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const keyId = checkKeyField('keyId', record.keyId, true);
  if (!keyId.ok) return { ok: false, field: 'keyId', message: keyId.message };
  const secretKey = checkKeyField('secretKey', record.secretKey, true);
  if (!secretKey.ok) return { ok: false, field: 'secretKey', message: secretKey.message };
  const polygonKey = checkKeyField('polygonKey', record.polygonKey, false);
  if (!polygonKey.ok) return { ok: false, field: 'polygonKey', message: polygonKey.message };
  if (keyId.value === null || secretKey.value === null) {
    // Unreachable: required fields never come back null. Kept so the types need no assertion.
    return { ok: false, field: keyId.value === null ? 'keyId' : 'secretKey', message: 'missing key' };
  }
  if (keyId.value === secretKey.value) {
    return { ok: false, field: 'secretKey', message: `${KEY_FIELDS.secretKey} is the same as the ${KEY_FIELDS.keyId}; paste the secret key` };
  }
  return { ok: true, keys: { keyId: keyId.value, secretKey: secretKey.value, polygonKey: polygonKey.value } };
}
