import type { Session } from '../context';

/** A request handler: validated params in, JSON result out (throws DevfsErrors). */
export type Handler = (s: Session, params: unknown) => unknown;

/** Handlers by method name. */
export type Handlers = Record<string, Handler>;
