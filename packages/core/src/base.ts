/**
 * `@devfs/core/base` — the part of core that loads no native code: the error helper and its
 * class, argument checks, credentials, user/group accounts, the constants and the event types.
 * For programs that talk to a daemon and never host devices (the `devfs` client): requiring it
 * never loads the addon. The same modules as the main entry, so `instanceof DevfsError` holds
 * across both.
 */
export * from './constants';
export * from './errors';
export { arg, badArg } from './validate';
export * from './cred';
export { Accounts, resolveId } from './accounts';
export type * from './events/types';
