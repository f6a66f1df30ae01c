// The message of a write the API server refuses as invalid (422), for the
// CRD validation suites; fails the test when the write is accepted.
import { expect } from '@jest/globals';
import { InvalidError } from '@switchboard/core';

/** Resolves with the InvalidError's message; throws when `write` succeeds. */
export async function rejection(write: Promise<unknown>): Promise<string> {
  try {
    await write;
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidError);
    return (err as Error).message;
  }
  throw new Error('the API server accepted an invalid object');
}
