/** Something that can be undone (node-pty's IDisposable). */
export interface IDisposable {
  dispose(): void;
}

/** A subscribable event (node-pty's IEvent): call it with a listener, dispose to unsubscribe. */
export type IEvent<T> = (listener: (e: T) => void) => IDisposable;

/** Minimal typed emitter backing an IEvent; listeners added during a fire run from the next one. */
export class Emitter<T> {
  private listeners: ((e: T) => void)[] = [];

  /** The public subscribe function. */
  readonly event: IEvent<T> = (listener) => {
    this.listeners.push(listener);
    return {
      dispose: () => {
        const i = this.listeners.indexOf(listener);
        if (i >= 0) this.listeners.splice(i, 1);
      },
    };
  };

  /** Calls every listener; one that throws does not stop the others (the error is rethrown async). */
  fire(e: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        queueMicrotask(() => { throw err; });
      }
    }
  }

  /** True when someone listens. */
  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  /** Drops every listener. */
  dispose(): void {
    this.listeners = [];
  }
}
