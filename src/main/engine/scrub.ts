// Scrubs the configured secrets (broker and vendor keys) out of everything a bridge hands to a
// renderer: the headless socket and the Electron IPC bridge both pass every outgoing event and
// response through here, whatever produced it. A vendor error that echoes the credentials back
// (a 401 body, a URL with ?apiKey=…) reaches the trader as "[REDACTED]".

export const REDACTED = '[REDACTED]';

/** Where a bridge reads the secrets from; called per message, so keys entered later count too. */
export type SecretSource = () => readonly string[];

/** Deeper than any contract payload; anything nested further is withheld rather than walked. */
const MAX_DEPTH = 64;

/** Each secret as it may appear in text: raw, JSON-escaped, URL-encoded. Longest first. */
function formsOf(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (typeof s !== 'string' || s.length === 0) continue;
    forms.add(s);
    forms.add(JSON.stringify(s).slice(1, -1));
    try {
      forms.add(encodeURIComponent(s));
    } catch {
      // a lone surrogate cannot be URL-encoded, so it cannot appear URL-encoded either
    }
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

function scrubString(text: string, forms: readonly string[]): string {
  let out = text;
  for (const f of forms) if (out.includes(f)) out = out.split(f).join(REDACTED);
  return out;
}

/** Plain assignment would treat a "__proto__" key as the prototype; this keeps it a property. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function scrubDeep(value: unknown, forms: readonly string[], depth: number): unknown {
  if (typeof value === 'string') return scrubString(value, forms);
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return REDACTED;
  if (value instanceof Date || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const next = scrubDeep(value[i], forms, depth + 1);
      if (next !== value[i]) {
        copy ??= value.slice();
        copy[i] = next;
      }
    }
    return copy ?? value;
  }
  if (value instanceof Map) {
    let changed = false;
    const entries = [...value.entries()].map(([k, v]) => {
      const nk = scrubDeep(k, forms, depth + 1);
      const nv = scrubDeep(v, forms, depth + 1);
      if (nk !== k || nv !== v) changed = true;
      return [nk, nv] as const;
    });
    return changed ? new Map(entries) : value;
  }
  if (value instanceof Set) {
    let changed = false;
    const items = [...value].map((v) => {
      const nv = scrubDeep(v, forms, depth + 1);
      if (nv !== v) changed = true;
      return nv;
    });
    return changed ? new Set(items) : value;
  }
  if (value instanceof Error) {
    const message = scrubString(value.message, forms);
    const stack = value.stack === undefined ? undefined : scrubString(value.stack, forms);
    if (message === value.message && stack === value.stack) return value;
    const copy = new Error(message);
    copy.name = value.name;
    if (stack !== undefined) copy.stack = stack;
    return copy;
  }
  let copy: Record<string, unknown> | null = null;
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const v = source[key];
    const nk = scrubString(key, forms);
    const nv = scrubDeep(v, forms, depth + 1);
    if (copy === null && (nk !== key || nv !== v)) {
      // The keys before this one were unchanged.
      copy = {};
      for (let j = 0; j < i; j++) define(copy, keys[j]!, source[keys[j]!]);
    }
    if (copy !== null) define(copy, nk, nv);
  }
  return copy ?? value;
}

/**
 * The value with every occurrence of every secret (in strings and object keys, at any depth)
 * replaced by "[REDACTED]". Returns the very same reference when nothing needed scrubbing, so the
 * common case (no secret anywhere) costs one walk and no copy.
 */
export function scrubSecrets<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  const forms = formsOf(secrets);
  if (forms.length === 0) return value;
  return scrubDeep(value, forms, 0) as T;
}

/** Text (e.g. a serialized message) with every secret, raw, JSON-escaped or URL-encoded, replaced. */
export function scrubSecretsInText(text: string, secrets: readonly string[]): string {
  if (secrets.length === 0) return text;
  return scrubString(text, formsOf(secrets));
}

/** True when the text still holds any form of any secret. */
export function containsSecret(text: string, secrets: readonly string[]): boolean {
  if (secrets.length === 0) return false;
  return formsOf(secrets).some((f) => text.includes(f));
}
