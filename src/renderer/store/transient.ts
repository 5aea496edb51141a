// Follows one slice of a store outside React: the callback runs when the selected value changes,
// with no render. This is how ticks reach the DOM (price cells, the clock).
import type { StoreApi } from 'zustand/vanilla';

export function subscribeSlice<S, T>(
  store: StoreApi<S>,
  selector: (state: S) => T,
  onChange: (value: T) => void,
  options: { fireImmediately?: boolean } = {},
): () => void {
  let last = selector(store.getState());
  if (options.fireImmediately ?? true) onChange(last);
  return store.subscribe((state) => {
    const next = selector(state);
    if (Object.is(next, last)) return;
    last = next;
    onChange(next);
  });
}
