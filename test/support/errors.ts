import { expect } from 'vitest';

/** A class of error a test expects, such as `HttpException` or `ChannelError`. */
type ErrorClass<E> = abstract new (...args: never[]) => E;

/** The error `work` threw, checked to be an `expected`, for the test to read what it says. */
export function thrown<E>(work: () => unknown, expected: ErrorClass<E>): E {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(expected);
    return error as E;
  }
  throw new Error(`expected ${expected.name} to be thrown, but nothing was`);
}

/** The error `work` was rejected with, checked to be an `expected`, for the test to read what it says. */
export async function rejection<E>(work: Promise<unknown>, expected: ErrorClass<E>): Promise<E> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(expected);
  return error as E;
}
