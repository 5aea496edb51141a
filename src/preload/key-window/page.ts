// The key window page's only script (loaded from a file, so the page's CSP needs no inline script).
import type { BrokerKeysApi } from '../../main/shell/key-entry';
import { findKeyFormElements, wireKeyForm } from './form';

const page = globalThis as unknown as { document: { getElementById(id: string): unknown }; brokerKeys?: BrokerKeysApi };

// Without the preload the form must still never submit itself; it just says what went wrong.
const unavailable: BrokerKeysApi = {
  submit: () => Promise.resolve({ ok: false, field: null, message: 'This window cannot reach the cockpit. Close it and try again.' }),
  cancel: () => Promise.resolve(),
};

const elements = findKeyFormElements(page.document);
if (elements !== null) wireKeyForm(elements, page.brokerKeys ?? unavailable);
