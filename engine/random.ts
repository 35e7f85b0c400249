/**
 * A seeded pseudo-random generator (mulberry32): the engine never calls Math.random, so the
 * same seed gives the same simulation, bootstrap and random baseline on every machine.
 *
 * @param seed any 32-bit integer
 * @returns a function giving uniform numbers in [0, 1)
 * @example
 * const rand = seededRandom(42);
 * rand() === seededRandom(42)() // => true
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
