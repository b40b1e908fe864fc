/** Shared checks of the fuzz tests (fuzz-*.test.ts): what every failure must look like, and run limits. */
import fc from 'fast-check';
import { DevfsError } from '@devfs/core';

/** Each property stops (passing) after this long unless FC_RUNS asks for a fixed number of runs. */
export const TIME_LIMIT_MS = Number(process.env.FC_TIME_MS ?? 5000);

/** fast-check parameters: many runs, bounded by time; FC_SEED replays a failure. */
export function fuzzParams<T>(): fc.Parameters<T> {
  const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
  return process.env.FC_RUNS
    ? { numRuns: Number(process.env.FC_RUNS), seed }
    : { numRuns: 1_000_000, seed, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)] };
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;

/**
 * Throws (failing the property) unless `err` is a DevfsError in Node's shape whose code is one
 * of `codes`: a negative errno, a syscall, a one-line message that starts with the code and
 * carries no control character and no sign of a JavaScript TypeError.
 */
export function expectCoded(err: unknown, codes: readonly string[]): DevfsError {
  if (!(err instanceof DevfsError)) throw new Error(`not a DevfsError: ${String(err)}`);
  const e = err;
  if (!codes.includes(e.code)) throw new Error(`unexpected code ${e.code}: ${e.message}`);
  if (!(e.errno < 0) || typeof e.syscall !== 'string' || e.syscall === '') throw new Error(`bad shape: ${JSON.stringify(e)}`);
  if (!e.message.startsWith(`${e.code}: `)) throw new Error(`message does not start with its code: ${e.message}`);
  if (CONTROL.test(e.message)) throw new Error(`control character in message: ${JSON.stringify(e.message)}`);
  if (/TypeError|Cannot read|is not a function|\[object /.test(e.message)) throw new Error(`message leaks a JS error: ${e.message}`);
  if (/E[A-Z0-9]+: .*E[A-Z0-9]+: /.test(e.message)) throw new Error(`stacked prefixes: ${e.message}`);
  return e;
}

/** Runs `f`; returns what it threw, or undefined. */
export function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  return undefined;
}
