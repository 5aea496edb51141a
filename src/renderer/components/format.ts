// Number formatting for prices, changes and volumes, and the up/down/flat direction that colours them.
// Plain ASCII signs and no currency symbol, so a cell's text parses back to the number it shows.

export type Direction = 'up' | 'down' | 'flat';

const compactVolume = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 2 });

export function formatPrice(price: number): string {
  return price.toFixed(2);
}

function signed(value: number, digits: number): string {
  const text = Math.abs(value).toFixed(digits);
  // A change that rounds to zero is shown unsigned, so it does not read as a gain or loss.
  if (Number(text) === 0) return text;
  return value > 0 ? `+${text}` : `-${text}`;
}

export function formatChange(change: number): string {
  return signed(change, 2);
}

/** `changePct` is already in percent (1.5 means 1.5 %). */
export function formatChangePct(changePct: number): string {
  return `${signed(changePct, 2)}%`;
}

export function formatVolume(volume: number): string {
  return compactVolume.format(volume);
}

/** The colour direction of a change, with the same rounding as its text. */
export function directionOf(change: number): Direction {
  const rounded = Number(change.toFixed(2));
  return rounded > 0 ? 'up' : rounded < 0 ? 'down' : 'flat';
}
