// The 390-bar volume window of the streaming features, kept sorted as bars enter and leave it, so a
// bar's volume percentile is a count rather than a sort.

/** Bars in the window (a full regular session). */
export const VOL_WINDOW = 390;

/** Index of the first element > v in sorted a[0..len) (= how many are ≤ v). */
export function upperBound(a: Float64Array, len: number, v: number): number {
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The volume of bar n (in `volumes` at `slot`) enters the 390-bar window, sorted (`a`) and by bar
 * (`byBar`); `disordered` once a NaN volume has been seen;
 * the one 390 bars back leaves. Returns how many window values are ≤ it afterwards (the
 * percentile's count, so no separate search), or -1 once a NaN volume has disordered the window.
 *
 * The positions are found by binary search and the values between them move in one copyWithin
 * (a memmove): on a sorted window without NaN exactly what sortedInsertScan / sortedReplaceScan's
 * element-by-element walk leaves, about 3× faster over a 390-long window. Integer arguments only:
 * numbers passed to a call that is not inlined are boxed, every bar.
 */
export function pushVolume(a: Float64Array, byBar: Float64Array, volumes: Float64Array, slot: number, n: number, disordered: boolean): number {
  const v = volumes[slot]!;
  const at = n % VOL_WINDOW;
  const out = byBar[at]!;
  byBar[at] = v;
  if (disordered) {
    if (n >= VOL_WINDOW) sortedReplaceScan(a, VOL_WINDOW, out, v);
    else sortedInsertScan(a, n, v);
    return -1;
  }
  if (n < VOL_WINDOW) {
    // Insert: k = how many are ≤ v; a[k..n) move up one.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid]! <= v) lo = mid + 1;
      else hi = mid;
    }
    if (lo < n) a.copyWithin(lo + 1, lo, n);
    a[lo] = v;
    return lo + 1;
  }
  const len: number = VOL_WINDOW;
  // i: the first element equal to `out` (the first not below it).
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < out) lo = mid + 1;
    else hi = mid;
  }
  const i = lo;
  if (v >= out) {
    // j: the last index ≤ v after i; a[i+1..j] move down one.
    lo = i + 1;
    hi = len;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid]! <= v) lo = mid + 1;
      else hi = mid;
    }
    const j = lo - 1;
    if (j > i) a.copyWithin(i, i + 1, j + 1);
    a[j] = v;
    return j + 1;
  }
  // j: the first index > v before i; a[j..i-1] move up one.
  lo = 0;
  hi = i;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  if (lo < i) a.copyWithin(lo + 1, lo, i);
  a[lo] = v;
  return lo + 1;
}

// The original element-by-element versions: kept for a window a NaN volume has disordered.

/** Inserts v into sorted a[0..len) (len < capacity). */
function sortedInsertScan(a: Float64Array, len: number, v: number): void {
  let k = len;
  while (k > 0 && a[k - 1]! > v) {
    a[k] = a[k - 1]!;
    k--;
  }
  a[k] = v;
}

/**
 * Replaces one element equal to `out` in sorted a[0..len) by `v`, shifting only the elements between
 * the two positions. With v = NaN the element is removed (len shrinks by one).
 */
export function sortedReplaceScan(a: Float64Array, len: number, out: number, v: number): void {
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < out) lo = mid + 1;
    else hi = mid;
  }
  let i = lo; // a[i] === out
  if (Number.isNaN(v)) {
    for (; i < len - 1; i++) a[i] = a[i + 1]!;
    return;
  }
  if (v >= out) {
    while (i + 1 < len && a[i + 1]! <= v) {
      a[i] = a[i + 1]!;
      i++;
    }
  } else {
    while (i > 0 && a[i - 1]! > v) {
      a[i] = a[i - 1]!;
      i--;
    }
  }
  a[i] = v;
}
