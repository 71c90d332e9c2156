/**
 * Python 3's `round(x)` for a double: to the nearest integer, exact halves to the even neighbour.
 * `Math.round` rounds halves up (`Math.round(56.5) === 57`, Python gives 56), which would change
 * ERGO's image sizes for inputs such as a 1582-pixel side (1582 / 28 = 56.5).
 */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  // Exact for |x| < 2^52: the fraction of a double is representable.
  const fraction = x - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
