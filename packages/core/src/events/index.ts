/** Device events: the typed stream, devfsd-style action rules and permission persistence. */
export * from './types';
export { Events, DEFAULT_QUEUE_LIMIT, DEFAULT_EXEC_TIMEOUT_MS } from './events';
export type { OverrunData } from './events';
export { STATE_FORMAT, STATE_VERSION } from './state-store';
export type { StateFile } from './state-store';
export { writeFileAtomic } from './atomic-write';
