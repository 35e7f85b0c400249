/**
 * The engine's error contract (engine/errors.ts): every engine error is a CodedError with a
 * stable code and the offending value; an unknown time zone is one code, E_TIMEZONE, from one
 * check (engine/timezone.ts), whichever stage meets it first.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as engine from '../engine/index.ts';
import { CodedError, TimeZoneError } from '../engine/errors.ts';
import { checkTimeZone } from '../engine/timezone.ts';
// Internals (not in the public API) that also check the zone: the ingest zone clock, the profile's calendar.
import { ZoneClock } from '../engine/ingest/index.ts';
import { binCalendar } from '../engine/model/index.ts';
import { expectCoded } from './support/coded.ts';
import { syntheticIncidents, VAN } from './evaluate/synthetic.ts';

const BAD = 'Mars/Olympus_Mons';
const JULY = Date.UTC(2023, 6, 1, 7); // 2023-07-01 00:00 in Vancouver

/** Expects the one time-zone error: class, code, the zone as value, the one message. */
function expectZoneError(fn: () => unknown, zone = BAD): void {
  const e = expectCoded(fn, TimeZoneError, 'E_TIMEZONE', zone);
  expect(e.message).toBe(`unknown time zone "${zone}" (use an IANA name such as America/Vancouver or Europe/London)`);
}

describe('checkTimeZone', () => {
  it('passes IANA names through, case-insensitively as Intl does', () => {
    for (const tz of ['America/Vancouver', 'Europe/London', 'UTC', 'Etc/GMT+8', 'america/chicago']) expect(checkTimeZone(tz)).toBe(tz);
  });
  it("refuses everything else, luxon's non-IANA shorthands included (the engine never uses the host's zone)", () => {
    for (const tz of [BAD, 'Chicago', 'system', 'local', 'UTC+3', '']) expectZoneError(() => checkTimeZone(tz), tz);
    expectCoded(() => checkTimeZone(undefined), TimeZoneError, 'E_TIMEZONE', undefined);
    expectCoded(() => checkTimeZone(42), TimeZoneError, 'E_TIMEZONE', 42);
  });
});

describe('an unknown time zone is E_TIMEZONE from every entry point', () => {
  const incidents = syntheticIncidents(3, 50, JULY - 30 * 86_400_000, JULY);

  it('ingest: the tz option of the CSV and GeoJSON readers, and the zone clock', () => {
    expectZoneError(() => engine.ingestCsvText('datetime,lat,lon\n2023-07-01T10:00,49.25,-123.1\n', { file: 'x.csv', tz: BAD }));
    expectZoneError(() => engine.ingestGeoJson({ type: 'FeatureCollection', features: [] }, { file: 'x.json', tz: BAD }));
    expectZoneError(() => new ZoneClock(BAD));
  });

  it('forecast: shiftAt, shiftWindows and parseLocalDateTime', () => {
    expectZoneError(() => engine.shiftAt('2023-07-01T22:00', BAD));
    expectZoneError(() => engine.shiftWindows(JULY, JULY + 86_400_000, BAD));
    expectZoneError(() => engine.parseLocalDateTime('2023-07-01', BAD));
  });

  it("model: the profile's bin calendar (also what a saved fit's zone goes through)", () => {
    expectZoneError(() => binCalendar(BAD, ['06:00', '14:00', '22:00'], false, JULY, JULY + 86_400_000));
  });

  it('evaluate: backtest, its known-time rule and month windows', () => {
    expectZoneError(() => engine.backtest({ incidents, res: 9, fromMs: JULY, toMs: JULY + 86_400_000, tz: BAD }));
    expectZoneError(() => engine.periodEndMs({ timeMs: JULY, precision: 'day', timeOfDayUnknown: true }, BAD));
    expectZoneError(() => engine.monthWindows(JULY, JULY + 40 * 86_400_000, BAD));
  });

  it('service: the patrol boxes of a shift and the fit alone', () => {
    const shift = { startMs: JULY, hours: 8, label: 'x' };
    expectZoneError(() => engine.shiftBoxes({ incidents, tz: BAD, res: 9, shift }));
    expectZoneError(() => engine.trainModel({ incidents, tz: BAD, res: 9, untilMs: JULY }));
  });

  it('with a valid zone the same calls succeed (the check is not what fails them)', () => {
    expect(engine.shiftAt('2023-07-01T22:00', VAN).startMs).toBe(Date.UTC(2023, 6, 2, 5));
    expect(binCalendar(VAN, ['06:00', '14:00', '22:00'], false, JULY, JULY + 86_400_000).fromMs).toBe(JULY);
  });
});

describe('the engine throws only coded errors', () => {
  const classes = {
    IngestError: engine.IngestError,
    GridError: engine.GridError,
    ModelError: engine.ModelError,
    ForecastError: engine.ForecastError,
    EvaluateError: engine.EvaluateError,
    ServiceError: engine.ServiceError,
    TimeZoneError,
  };

  it('every module error class is a CodedError, named after itself', () => {
    for (const [name, Cls] of Object.entries(classes)) {
      const e = name === 'IngestError' ? new engine.IngestError('E_EMPTY', 'f.csv', 'm') : new (Cls as typeof CodedError)('E_X', 'm', 7);
      expect(e).toBeInstanceOf(CodedError);
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe(name);
    }
    const ingest = new engine.IngestError('E_NEED_TZ', 'f.csv', 'm', 3, 'datetime', '2023-07-01 10:00');
    expect([ingest.code, ingest.file, ingest.line, ingest.field, ingest.value]).toEqual([
      'E_NEED_TZ',
      'f.csv',
      3,
      'datetime',
      '2023-07-01 10:00',
    ]);
  });

  it('a fixed θ for a configuration without triggering is ModelError E_OPTIONS carrying the value', () => {
    expectCoded(
      () => engine.withFitOptions({ ...engine.ETAS_DEFAULTS, triggering: null }, { fixedTheta: 0.1 }),
      engine.ModelError,
      'E_OPTIONS',
      0.1,
    );
  });

  it('no bare `new Error(`, `new RangeError(` or `new TypeError(` under engine/, and every thrown class is a coded one', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts')) files.push(path);
      }
    };
    walk('engine');
    expect(files.length).toBeGreaterThan(40);
    const bare: string[] = [];
    const thrown = new Set<string>();
    for (const path of files) {
      const text = readFileSync(path, 'utf8');
      text.split('\n').forEach((line, i) => {
        if (/new (Range|Type|Syntax|Reference)?Error\(/.test(line)) bare.push(`${path}:${i + 1}: ${line.trim()}`);
      });
      for (const m of text.matchAll(/throw new (\w+)\(/g)) thrown.add(m[1]!);
    }
    expect(bare).toEqual([]);
    expect([...thrown].sort()).toEqual(Object.keys(classes).sort());
  });
});
