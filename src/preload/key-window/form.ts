// The key window's form logic, written against the few DOM members it touches so that it builds
// with the Node type library and can be tested with plain objects.
import type { BrokerKeysApi, KeyField, KeyWindowReply } from '../../main/shell/key-entry';

export interface KeyInput {
  value: string;
  focus(): void;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
}
export interface KeyFormElement {
  addEventListener(type: 'submit', listener: (event: { preventDefault(): void }) => void): void;
}
export interface KeyButton {
  disabled: boolean;
  addEventListener(type: 'click', listener: () => void): void;
}
export interface KeyMessage {
  textContent: string | null;
}
export interface KeyFormElements {
  form: KeyFormElement;
  inputs: Record<KeyField, KeyInput>;
  save: KeyButton;
  cancel: KeyButton;
  message: KeyMessage;
}

/** The element ids key-window.html uses. */
export const KEY_FORM_IDS = {
  form: 'key-form',
  keyId: 'key-id',
  secretKey: 'secret-key',
  polygonKey: 'polygon-key',
  save: 'save',
  cancel: 'cancel',
  message: 'message',
} as const;

const FIELDS: readonly KeyField[] = ['keyId', 'secretKey', 'polygonKey'];

export function wireKeyForm(elements: KeyFormElements, api: BrokerKeysApi): void {
  const { inputs, message } = elements;
  let busy = false;

  const show = (reply: Extract<KeyWindowReply, { ok: false }>): void => {
    message.textContent = reply.message;
    for (const field of FIELDS) inputs[field].removeAttribute('aria-invalid');
    if (reply.field !== null) {
      inputs[reply.field].setAttribute('aria-invalid', 'true');
      inputs[reply.field].focus();
    }
  };

  elements.form.addEventListener('submit', (event) => {
    // Never let the browser submit the form: the keys would end up in a navigation.
    event.preventDefault();
    if (busy) return;
    busy = true;
    elements.save.disabled = true;
    message.textContent = '';
    api
      .submit({ keyId: inputs.keyId.value, secretKey: inputs.secretKey.value, polygonKey: inputs.polygonKey.value })
      .then(
        (reply) => {
          if (reply.ok) {
            // The window is closing; do not keep the keys in the page meanwhile.
            for (const field of FIELDS) inputs[field].value = '';
            return;
          }
          show(reply);
        },
        () => show({ ok: false, field: null, message: 'The keys could not be sent to the cockpit. Close this window and try again.' }),
      )
      .finally(() => {
        busy = false;
        elements.save.disabled = false;
      });
  });

  elements.cancel.addEventListener('click', () => {
    for (const field of FIELDS) inputs[field].value = '';
    void api.cancel();
  });
  inputs.keyId.focus();
}

/** Finds the form's elements by id; null when the page is not the key window's. */
export function findKeyFormElements(doc: { getElementById(id: string): unknown }): KeyFormElements | null {
  const get = <T>(id: string): T | null => (doc.getElementById(id) as T | null) ?? null;
  const form = get<KeyFormElement>(KEY_FORM_IDS.form);
  const keyId = get<KeyInput>(KEY_FORM_IDS.keyId);
  const secretKey = get<KeyInput>(KEY_FORM_IDS.secretKey);
  const polygonKey = get<KeyInput>(KEY_FORM_IDS.polygonKey);
  const save = get<KeyButton>(KEY_FORM_IDS.save);
  const cancel = get<KeyButton>(KEY_FORM_IDS.cancel);
  const message = get<KeyMessage>(KEY_FORM_IDS.message);
  if (form === null || keyId === null || secretKey === null || polygonKey === null || save === null || cancel === null || message === null) {
    return null;
  }
  return { form, inputs: { keyId, secretKey, polygonKey }, save, cancel, message };
}
