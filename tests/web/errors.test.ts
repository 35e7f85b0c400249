/**
 * The worker's error mapping (web/workerErrors.ts) and the page's reading of it (web/client.ts
 * EngineError, web/app.ts errorBanner), outside the browser: a cancel, bad input and a bug
 * arrive as different kinds, with the error's code.
 */
import { describe, expect, it } from 'vitest';
import { EvaluateError, GridError, IngestError, ingestCsvText, ModelError, shiftAt, TimeZoneError } from '../../engine/index.ts';
import { errorInfo, WorkerError } from '../../web/workerErrors.ts';
import { CancelledError, EngineError } from '../../web/client.ts';
import { errorBanner } from '../../web/app.ts';
import type { Response } from '../../web/protocol.ts';

/** What a job threw, as the page receives it: through errorInfo and a structured clone (postMessage). */
function received(error: unknown): EngineError {
  const response = structuredClone({ id: 1, type: 'error', ...errorInfo(error) } as Response);
  if (response.type !== 'error') throw new Error('not an error response');
  return new EngineError(response.message, response.code, response.kind);
}

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('errorInfo (worker side)', () => {
  it('a coded engine error is input, with its code and message', () => {
    const notIncidents = thrownBy(() => ingestCsvText('a,b\n1,2\n', { file: 'x.csv' }));
    expect(notIncidents).toBeInstanceOf(IngestError);
    expect(errorInfo(notIncidents)).toEqual({ message: (notIncidents as Error).message, code: 'E_UNKNOWN_FORMAT', kind: 'input' });
    const zone = thrownBy(() => ingestCsvText('', { file: 'x.csv', tz: 'Mars/Base' }));
    expect(errorInfo(zone)).toMatchObject({ code: 'E_TIMEZONE', kind: 'input' });
    expect(errorInfo(thrownBy(() => shiftAt('22:00', 'UTC')))).toMatchObject({ code: 'E_TIME', kind: 'input' });
    expect(errorInfo(new GridError('E_RES_DOMAIN', 'bad res', 99))).toEqual({ message: 'bad res', code: 'E_RES_DOMAIN', kind: 'input' });
    expect(errorInfo(new WorkerError('E_NO_DATA', 'no data loaded yet'))).toEqual({
      message: 'no data loaded yet',
      code: 'E_NO_DATA',
      kind: 'input',
    });
  });
  it('E_CANCELLED, from the model or the backtest, is cancelled', () => {
    const fit = new ModelError('E_CANCELLED', 'fit cancelled at iteration 3', 3);
    expect(errorInfo(fit)).toEqual({ message: 'fit cancelled at iteration 3', code: 'E_CANCELLED', kind: 'cancelled' });
    expect(errorInfo(new EvaluateError('E_CANCELLED', 'backtest cancelled')).kind).toBe('cancelled');
  });
  it('anything uncoded is a bug, code null: a TypeError, a bare Error, a thrown string', () => {
    const typeError = thrownBy(() => (null as unknown as { x: number }).x);
    expect(typeError).toBeInstanceOf(TypeError);
    expect(errorInfo(typeError)).toEqual({ message: (typeError as Error).message, code: null, kind: 'bug' });
    expect(errorInfo(new Error('oops'))).toEqual({ message: 'oops', code: null, kind: 'bug' });
    expect(errorInfo('plain string')).toEqual({ message: 'plain string', code: null, kind: 'bug' });
    // A code-like property on an uncoded error does not make it input.
    expect(errorInfo(Object.assign(new Error('fs'), { code: 'ENOENT' })).kind).toBe('bug');
  });
});

describe('the page: EngineError and the banner', () => {
  it('the rejection carries code and kind across postMessage', () => {
    const e = received(new TimeZoneError('E_TIMEZONE', 'unknown time zone "Mars/Base"', 'Mars/Base'));
    expect(e).toBeInstanceOf(Error);
    expect([e.message, e.code, e.kind]).toEqual(['unknown time zone "Mars/Base"', 'E_TIMEZONE', 'input']);
  });
  it('a cancel is quiet, whether the page or the engine cancelled', () => {
    const local = new CancelledError();
    expect(local).toBeInstanceOf(EngineError);
    expect([local.code, local.kind]).toEqual(['E_CANCELLED', 'cancelled']);
    expect(errorBanner(local)).toBeNull();
    expect(errorBanner(received(new ModelError('E_CANCELLED', 'fit cancelled at iteration 3', 3)))).toBeNull();
  });
  it("bad input shows the message as it is; the page's own strings are input", () => {
    const e = received(
      new IngestError('E_MISSING_COLUMN', 'c.csv', 'c.csv: no column "lat" for lat in the header (a, b)', 1, 'lat', 'lat'),
    );
    expect(errorBanner(e)).toEqual({ kind: 'input', text: 'c.csv: no column "lat" for lat in the header (a, b)' });
    expect(errorBanner('Choose at least one crime type to fit.')).toEqual({
      kind: 'input',
      text: 'Choose at least one crime type to fit.',
    });
  });
  it('a bug says it is one and shows the message, from the worker or the page', () => {
    const fromWorker = errorBanner(received(new TypeError("Cannot read properties of undefined (reading 'res')")));
    expect(fromWorker?.kind).toBe('bug');
    expect(fromWorker?.text).toBe(
      "Something went wrong inside patrolcast (a bug, not a problem with your data or settings): Cannot read properties of undefined (reading 'res')",
    );
    expect(errorBanner(new RangeError('page code'))).toEqual({ kind: 'bug', text: expect.stringMatching(/a bug.*: page code$/) });
  });
});
