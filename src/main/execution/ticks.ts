// Order prices on the tick grid every US venue accepts (SEC Rule 612): whole cents at $1.00 and above,
// hundredths of a cent below. The simulated broker and Alpaca then see the same price, and a limit or
// stop never carries the sub-penny remainder of a computed level (which a real broker refuses).

/** The minimum price increment of an order at this price. */
export function tickSize(price: number): number {
  return price >= 1 ? 0.01 : 0.0001;
}

/** The price on the tick grid: the nearest tick, or the tick at or below / at or above it. */
export function toTick(price: number, mode: 'nearest' | 'down' | 'up' = 'nearest'): number {
  if (!Number.isFinite(price) || price <= 0) throw new RangeError(`an order price must be positive and finite, got ${price}`);
  const steps = Math.round(1 / tickSize(price));
  const scaled = price * steps;
  // A level already on the grid up to float noise stays where it is.
  const near = Math.round(scaled);
  const onGrid = Math.abs(scaled - near) < 1e-6;
  const n = onGrid ? near : mode === 'down' ? Math.floor(scaled) : mode === 'up' ? Math.ceil(scaled) : near;
  return n / steps;
}
