/** Seeded synthetic incidents for the backtest tests (not a test file itself). */
import type { Incident, TimePrecision } from '../../engine/types.ts';
import { seededRandom } from '../../engine/random.ts';

export const VAN = 'America/Vancouver';

/** 30 locations on a 6 × 5 lattice in Vancouver (~330 m apart), a few of them hot. */
export const LOCATIONS = Array.from({ length: 30 }, (_, i) => ({
  lat: 49.25 + 0.003 * (i % 6),
  lng: -123.12 + 0.004 * Math.floor(i / 6),
  weight: i % 7 === 0 ? 8 : 1 + (i % 3),
  district: i % 6 < 3 ? 'West' : 'East',
}));

export function incident(
  line: number,
  timeMs: number,
  loc: { lat: number; lng: number; district?: string },
  extra: Partial<Incident> = {},
): Incident {
  return {
    id: `s${line}`,
    timeMs,
    precision: 'minute' as TimePrecision,
    timeOfDayUnknown: false,
    lat: loc.lat,
    lng: loc.lng,
    category: 'Theft',
    district: loc.district ?? null,
    source: { file: 'synthetic', line },
    ...extra,
  };
}

/** n minute-precise incidents, uniformly in [fromMs, toMs) (whole minutes), locations by weight. */
export function syntheticIncidents(seed: number, n: number, fromMs: number, toMs: number): Incident[] {
  const rand = seededRandom(seed);
  const total = LOCATIONS.reduce((s, l) => s + l.weight, 0);
  const out: Incident[] = [];
  for (let i = 0; i < n; i++) {
    let r = rand() * total;
    let loc = LOCATIONS[0]!;
    for (const l of LOCATIONS) {
      r -= l.weight;
      if (r < 0) {
        loc = l;
        break;
      }
    }
    const t = fromMs + Math.floor((rand() * (toMs - fromMs)) / 60_000) * 60_000;
    out.push(incident(i + 2, t, loc));
  }
  return out;
}
