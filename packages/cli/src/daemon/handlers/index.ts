/** Every request handler, by method name. */
import { adminHandlers } from './admin';
import { deviceHandlers } from './devices';
import { fsHandlers } from './fs';
import { ptyHandlers } from './pty';
import { udevHandlers } from './udev';
import { reloadHandlers } from './reload';
import type { Handlers } from './types';

/** The daemon's method table. */
export function allHandlers(): Handlers {
  return { ...adminHandlers(), ...fsHandlers(), ...deviceHandlers(), ...ptyHandlers(), ...udevHandlers(), ...reloadHandlers() };
}
export type { Handler, Handlers } from './types';
