/**
 * Asserting on the engine's coded errors (engine/errors.ts): the class, the stable code and,
 * when given, the offending value.
 */
import { expect } from 'vitest';
import { CodedError } from '../../engine/errors.ts';

/** Runs `fn` and returns what it threw; fails the test when it returns normally. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

/**
 * Expects `fn` to throw a CodedError of class `cls` with `code` (and `value`, compared with
 * toEqual, when passed). Returns the error for further checks.
 */
export function expectCoded<E extends CodedError>(
  fn: () => unknown,
  cls: abstract new (...args: never[]) => E,
  code: E['code'],
  ...value: [unknown?]
): E {
  const err = thrownBy(fn);
  expect(err).toBeInstanceOf(cls);
  expect(err).toBeInstanceOf(CodedError);
  expect((err as E).code).toBe(code);
  if (value.length > 0) expect((err as E).value).toEqual(value[0]);
  return err as E;
}
