/**
 * First index i with a[i] > x in an ascending array (a.length when none): the number of
 * entries ≤ x. O(log n).
 * @example
 * upperBound([1, 2, 2, 5], 2) // => 3
 */
export function upperBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
