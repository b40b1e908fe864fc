/** Shared pieces of the isolate-*.test.ts files: fixtures, hosts with isolated plugins, event capture. */
import * as path from 'path';
import { createHost, Host, DevEvent, IsolatedDriverSpec } from '../src';

/** An isolate test plugin's directory (isolate-fixtures/lib.js describes them). */
export const ifx = (name: string): string => path.join(__dirname, 'isolate-fixtures', name);

/** An isolated spec for fixture `name` (short timeouts and backoff for tests). */
export function isolated(name: string, more: Partial<IsolatedDriverSpec> = {}): IsolatedDriverSpec {
  return { module: ifx(name), isolate: true, callTimeoutMs: 1000, backoffMs: 20, maxBackoffMs: 200, ...more };
}

/** A host over a fresh kernel with the memory devices, loading `drivers`; failures are collected, not warned. */
export async function hostWith(...drivers: (IsolatedDriverSpec | string)[]): Promise<Host> {
  return createHost({ drivers, onError: () => undefined });
}

/** Records every event of `host`'s kernel. */
export function recordEvents(host: Host): DevEvent[] {
  const seen: DevEvent[] = [];
  host.kernel.events.on((e) => void seen.push(e));
  return seen;
}
