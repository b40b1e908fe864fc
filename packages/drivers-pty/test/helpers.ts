import type { IPty, IPtyExit } from '../src';

/** Everything a pty printed, and its exit status; `afterExit` counts onData calls after onExit. */
export interface Outcome<T> {
  data: T[];
  exit: IPtyExit;
  afterExit: number;
}

/** Collects a pty's output until onExit. */
export function collect<T extends string | Buffer>(pty: IPty<T>): Promise<Outcome<T>> {
  const data: T[] = [];
  let exited = false;
  const out = { data, exit: undefined as unknown as IPtyExit, afterExit: 0 };
  pty.onData((d) => {
    if (exited) out.afterExit++;
    data.push(d);
  });
  return new Promise((resolve) => {
    pty.onExit((e) => {
      exited = true;
      out.exit = e;
      // one more loop turn: a late onData would show up in afterExit
      setImmediate(() => resolve(out));
    });
  });
}

/** Waits until the accumulated output matches. */
export function waitFor(pty: IPty<string>, re: RegExp, timeoutMs = 10000): Promise<string> {
  let text = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { d.dispose(); reject(new Error(`timeout waiting for ${re}; got ${JSON.stringify(text)}`)); }, timeoutMs);
    const d = pty.onData((s) => {
      text += s;
      if (re.test(text)) {
        clearTimeout(t);
        d.dispose();
        resolve(text);
      }
    });
  });
}

export { ptyFds, zombies } from '../../../test-support/pty';
