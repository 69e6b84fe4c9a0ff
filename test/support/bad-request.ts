import { AppError } from '../../src/common/errors.js';

/** Runs `fn`, expects it to throw a 400 `bad_request` AppError, and returns its message. */
export function badRequestMessageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('bad_request');
    return (e as AppError).message;
  }
  throw new Error('expected a 400');
}
