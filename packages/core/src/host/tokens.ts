/**
 * The tsyringe injection tokens of the plugin host. They are registered symbols (`Symbol.for`),
 * so a plugin that ended up with its own copy of @devfs/core still talks to the same tokens.
 */

/** The host's Kernel (registered with `useValue`). */
export const KERNEL: unique symbol = Symbol.for('@devfs/core:KERNEL') as never;
/** What a plugin's `register` registers: one or more DevfsDriver providers. */
export const DRIVER: unique symbol = Symbol.for('@devfs/core:DRIVER') as never;
/** The `options` record given to createHost (plugins read their own section of it). */
export const DRIVER_OPTIONS: unique symbol = Symbol.for('@devfs/core:DRIVER_OPTIONS') as never;
