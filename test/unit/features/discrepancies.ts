// Where the engine and the spec's words disagree. A feature listed here has its parity tests titled
// as a known discrepancy (failing until src is fixed or the spec changed with a version bump) and is
// kept out of the tests of other properties, so each disagreement fails in one clearly named place.
export interface Discrepancy {
  why: string;
  /** Whether the real SPY month shows it (otherwise only generated sequences do). */
  inMonth: boolean;
}

/** Empty: every disagreement the suite found has been fixed in src or made explicit in the spec. */
export const KNOWN_DISCREPANCIES: Readonly<Record<string, Discrepancy>> = {};

export function knownInMonth(name: string): boolean {
  return KNOWN_DISCREPANCIES[name]?.inMonth === true;
}

/** A test title that says when the test is expected to fail until src is fixed. */
export function titled(name: string, where: 'month' | 'generated'): string {
  const d = KNOWN_DISCREPANCIES[name];
  return d && (where === 'generated' || d.inMonth) ? `${name}` : name;
}
