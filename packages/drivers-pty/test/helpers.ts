import * as fs from 'fs';
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

/** fds of this process that point at a pty (master or slave). */
export function ptyFds(): string[] {
  const out: string[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      if (target === '/dev/ptmx' || target.startsWith('/dev/pts/')) out.push(`${fd}->${target}`);
    } catch { /* the readdir fd itself */ }
  }
  return out;
}

/** Zombie children of this process. */
export function zombies(): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (f[0] === 'Z' && Number(f[1]) === process.pid) out.push(Number(d));
    } catch { /* gone */ }
  }
  return out;
}
