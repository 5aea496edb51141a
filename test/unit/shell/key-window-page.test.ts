// The key window's preload and form script: only submit and cancel cross to the main process, only
// the three fields go along, the form never submits itself, and a refusal marks the field to fix.
import { describe, expect, it, vi } from 'vitest';
import { KEY_WINDOW_CHANNELS, type BrokerKeysApi, type KeyWindowReply } from '../../../src/main/shell/key-entry';
import { createBrokerKeysApi } from '../../../src/preload/key-window/api';
import { findKeyFormElements, KEY_FORM_IDS, wireKeyForm } from '../../../src/preload/key-window/form';

describe('the key window preload', () => {
  it('when made then it offers submit and cancel and nothing else', () => {
    const api = createBrokerKeysApi({ invoke: vi.fn() });
    expect(Object.keys(api).sort()).toEqual(['cancel', 'submit']);
  });

  it('when the page submits then only the three string fields go to the submit channel', async () => {
    const invoke = vi.fn(async () => ({ ok: true }));
    const api = createBrokerKeysApi({ invoke });
    const sneaky = { keyId: 'PKTESTKEY0123456789A', secretKey: 'secret123456', polygonKey: undefined, extra: { evil: true } };
    await api.submit(sneaky as unknown as Parameters<BrokerKeysApi['submit']>[0]);
    await api.cancel();
    expect(invoke.mock.calls).toEqual([
      [KEY_WINDOW_CHANNELS.submit, { keyId: 'PKTESTKEY0123456789A', secretKey: 'secret123456', polygonKey: '' }],
      [KEY_WINDOW_CHANNELS.cancel],
    ]);
  });
});

class FakeElement {
  value = '';
  disabled = false;
  textContent: string | null = null;
  focused = 0;
  readonly attributes = new Map<string, string>();
  readonly listeners = new Map<string, Array<(event: { preventDefault(): void }) => void>>();
  focus(): void {
    this.focused += 1;
  }
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }
  removeAttribute(name: string): void {
    this.attributes.delete(name);
  }
  addEventListener(type: string, listener: (event: { preventDefault(): void }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  fire(type: string): { defaultPrevented: boolean } {
    const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    for (const listener of this.listeners.get(type) ?? []) listener(event);
    return event;
  }
}

function page() {
  const byId = new Map<string, FakeElement>(Object.values(KEY_FORM_IDS).map((id) => [id, new FakeElement()]));
  const el = (id: string): FakeElement => byId.get(id) as FakeElement;
  const elements = findKeyFormElements({ getElementById: (id) => byId.get(id) ?? null });
  if (elements === null) throw new Error('form not found');
  return { el, elements };
}

describe('the key form', () => {
  it('when an element is missing then the page is not treated as the key form', () => {
    expect(findKeyFormElements({ getElementById: () => null })).toBeNull();
  });

  it('when submitted then the browser never submits the form and the api gets the typed values', async () => {
    const { el, elements } = page();
    const submit = vi.fn(async (): Promise<KeyWindowReply> => ({ ok: true }));
    wireKeyForm(elements, { submit, cancel: vi.fn(async () => {}) });
    el(KEY_FORM_IDS.keyId).value = 'PKTESTKEY0123456789A';
    el(KEY_FORM_IDS.secretKey).value = 'secret123456';

    expect(el(KEY_FORM_IDS.form).fire('submit').defaultPrevented).toBe(true);
    expect(submit).toHaveBeenCalledWith({ keyId: 'PKTESTKEY0123456789A', secretKey: 'secret123456', polygonKey: '' });
    // Saved: the window is closing, and the page lets go of the keys at once.
    await vi.waitFor(() => expect(el(KEY_FORM_IDS.secretKey).value).toBe(''));
    expect(el(KEY_FORM_IDS.keyId).value).toBe('');
  });

  it('when the main process refuses a field then its message shows and that field is marked and focused', async () => {
    const { el, elements } = page();
    const reply: KeyWindowReply = { ok: false, field: 'secretKey', message: 'Alpaca secret key is required' };
    wireKeyForm(elements, { submit: vi.fn(async () => reply), cancel: vi.fn(async () => {}) });
    el(KEY_FORM_IDS.form).fire('submit');
    await vi.waitFor(() => expect(el(KEY_FORM_IDS.message).textContent).toBe('Alpaca secret key is required'));
    expect(el(KEY_FORM_IDS.secretKey).attributes.get('aria-invalid')).toBe('true');
    expect(el(KEY_FORM_IDS.secretKey).focused).toBe(1);
    await vi.waitFor(() => expect(el(KEY_FORM_IDS.save).disabled).toBe(false));
  });

  it('when Cancel is pressed then the fields are cleared and the api is told', () => {
    const { el, elements } = page();
    const cancel = vi.fn(async () => {});
    wireKeyForm(elements, { submit: vi.fn(), cancel });
    el(KEY_FORM_IDS.secretKey).value = 'typed';
    el(KEY_FORM_IDS.cancel).fire('click');
    expect(cancel).toHaveBeenCalledOnce();
    expect(el(KEY_FORM_IDS.secretKey).value).toBe('');
  });
});
