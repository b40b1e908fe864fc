/**
 * EXECUTE: runs a program without a shell, in its own process group, with a time limit after
 * which the whole group gets SIGKILL. At most `concurrency` programs run at once; the rest wait
 * in order. A failure (cannot start, non-zero exit, killed by a signal, timed out) is reported
 * with the tail of the program's stderr; nothing is thrown and nothing waits for it but flush().
 * Node reaps every child (libuv's SIGCHLD handler), so no zombie outlives its 'exit'.
 */
import { spawn } from 'child_process';
import { devfsError, toDevfsError } from '../errors';

/** How a finished program is reported: the error (undefined on success) and its pid. */
export type ExecDone = (err: Error | undefined, pid: number | undefined) => void;

/** Most bytes of stdout/stderr kept per program for the failure message. */
const OUTPUT_TAIL = 2048;
/** How long to wait for the output pipes after the program exited (a background grandchild may hold them). */
const PIPE_GRACE_MS = 200;

/** Bounded-concurrency runner of EXECUTE programs. */
export class ProgramRunner {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly timeoutMs: number, private readonly concurrency: number) {}

  /** Queues `argv` to run; `done` is called once when it has finished. */
  run(argv: string[], done: ExecDone): void {
    const p = this.acquire().then(() => runOne(argv, this.timeoutMs)).then(
      ({ err, pid }) => done(err, pid),
      (err) => done(toDevfsError(err, 'events.EXECUTE', argv[0]), undefined),
    ).finally(() => {
      this.release();
      this.inFlight.delete(p);
    });
    this.inFlight.add(p);
  }

  /** Resolves when every program queued so far has finished and been reported. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  private acquire(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => {
      this.running++;
      resolve();
    }));
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
  }
}

function runOne(argv: string[], timeoutMs: number): Promise<{ err?: Error; pid?: number }> {
  return new Promise((resolve) => {
    const prog = argv[0];
    const child = spawn(prog, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let errText = '';
    const keep = (acc: string, chunk: Buffer) => (acc + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    child.stdout?.on('data', (c: Buffer) => { out = keep(out, c); });
    child.stderr?.on('data', (c: Buffer) => { errText = keep(errText, c); });

    let settled = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);

    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({ err, pid: child.pid });
    };

    child.on('error', (e) => finish(toDevfsError(e, 'events.EXECUTE', prog)));
    child.on('exit', (code, signal) => {
      const tail = () => {
        const t = (errText || out).trim();
        return t ? `: ${t.split('\n').slice(-5).join(' | ')}` : '';
      };
      const conclude = () => {
        if (timedOut) finish(devfsError('ETIMEDOUT', 'events.EXECUTE', prog, `killed after ${timeoutMs} ms${tail()}`));
        else if (signal) finish(devfsError('EIO', 'events.EXECUTE', prog, `killed by ${signal}${tail()}`));
        else if (code !== 0) finish(devfsError('EIO', 'events.EXECUTE', prog, `exited with status ${code}${tail()}`));
        else finish();
      };
      // Collect the last output, but do not hang on pipes a background grandchild keeps open.
      const grace = setTimeout(conclude, PIPE_GRACE_MS);
      child.once('close', () => {
        clearTimeout(grace);
        conclude();
      });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
