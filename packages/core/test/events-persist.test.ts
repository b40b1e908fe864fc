/**
 * Permission persistence (COPY on CHANGE, RESTORE on REGISTER) with real files, and the crash
 * test: a child process writing state in a tight loop is killed with SIGKILL at random moments;
 * every time, the state file is one complete state.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { DevAttrs, EventActionHost, Events, STATE_FORMAT } from '../src/events';

const SRC = path.resolve(__dirname, '..', 'src');
const FIXTURE = path.join(__dirname, 'fixtures', 'events-state-writer.js');

/**
 * The crash child is plain Node: give it a CommonJS copy of the events module (and the error
 * helper it imports), transpiled from the sources into a private directory. This does not depend
 * on the shared dist/ being fresh or on the rest of the package compiling at this moment.
 */
function compileEventsFor(child: string): string {
  for (const rel of ['errors.ts', 'validate.ts', 'timer.ts', 'accounts.ts', ...fs.readdirSync(path.join(SRC, 'events')).map((f) => `events/${f}`)]) {
    const out = ts.transpileModule(fs.readFileSync(path.join(SRC, rel), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: rel,
    });
    const dest = path.join(child, rel.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, out.outputText);
  }
  return path.join(child, 'events', 'index.js');
}

class RecordingHost implements EventActionHost {
  calls: Array<[string | undefined, string, DevAttrs]> = [];
  setAttrs(mount: string | undefined, name: string, attrs: DevAttrs): void {
    this.calls.push([mount, name, attrs]);
  }
  symlink(): void { /* not used here */ }
  async modload(): Promise<void> { /* not used here */ }
  mountPath(): string { return '/dev'; }
}

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-state-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function failOnError() {
  const errors: string[] = [];
  return { errors, onError: (e: Error) => { errors.push(e.message); } };
}

describe('permission persistence', () => {
  test('every CHANGE is written; a burst is coalesced and the last state wins', async () => {
    const file = path.join(dir, 'perms.json');
    const { errors, onError } = failOnError();
    const events = new Events({ onError });
    events.loadConfig(`CHANGE ^pts IGNORE\nCHANGE .* COPY ${file}\n`, 'copy.conf');
    events.emit({ type: 'CHANGE', name: 'ttyv0', mount: 'j1', uid: 1001, gid: 5, mode: 0o620 });
    events.emit({ type: 'CHANGE', name: 'pts/0', mount: 'j1', uid: 1001, gid: 5, mode: 0o620 });
    await events.flush();
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
      format: STATE_FORMAT, version: 1, mounts: { j1: { ttyv0: { uid: 1001, gid: 5, mode: 0o620 } } },
    });
    for (let m = 0; m < 500; m++) events.emit({ type: 'CHANGE', name: 'md0', uid: 0, gid: 6, mode: m });
    events.emit({ type: 'CHANGE', name: 'md0', mode: 0o640 });      // partial change merges
    events.emit({ type: 'CHANGE', name: 'ttyv0', mount: 'j2', uid: 7 });
    await events.flush();
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).mounts).toEqual({
      j1: { ttyv0: { uid: 1001, gid: 5, mode: 0o620 } },
      j2: { ttyv0: { uid: 7 } },
      '': { md0: { uid: 0, gid: 6, mode: 0o640 } },
    });
    expect(fs.readdirSync(dir)).toEqual(['perms.json']);             // no temporary file left
    expect(errors).toEqual([]);
  });

  test('REGISTER restores the saved attributes of that name in each mount', async () => {
    const file = path.join(dir, 'perms.json');
    const writer = new Events();
    writer.loadConfig(`CHANGE .* COPY ${file}`, 'w.conf');
    writer.emit({ type: 'CHANGE', name: 'ttyv0', mount: 'j1', uid: 1001, gid: 5, mode: 0o600 });
    writer.emit({ type: 'CHANGE', name: 'ttyv0', uid: 0, gid: 0, mode: 0o644 });
    writer.emit({ type: 'CHANGE', name: 'md0', mount: 'j1', mode: 0o660 });
    await writer.close();

    // "Restart": a new stream reads the file.
    const host = new RecordingHost();
    const { errors, onError } = failOnError();
    const events = new Events({ host, onError });
    events.loadConfig(`REGISTER .* RESTORE ${file}\nCHANGE .* COPY ${file}\n`, 'r.conf');
    events.emit({ type: 'REGISTER', name: 'ttyv0', uid: 0, gid: 0, mode: 0o600 });
    events.emit({ type: 'REGISTER', name: 'ttyv1' });
    events.emit({ type: 'REGISTER', name: 'md0' });
    await events.flush();
    expect(host.calls).toEqual([
      ['j1', 'ttyv0', { uid: 1001, gid: 5, mode: 0o600 }],
      [undefined, 'ttyv0', { uid: 0, gid: 0, mode: 0o644 }],
      ['j1', 'md0', { mode: 0o660 }],
    ]);
    expect(errors).toEqual([]);
  });

  test('a write failure is reported and the next change writes the whole state again', async () => {
    const sub = path.join(dir, 'sub');
    fs.mkdirSync(sub);
    const file = path.join(sub, 'perms.json');
    const { errors, onError } = failOnError();
    const events = new Events({ onError });
    events.loadConfig(`CHANGE .* COPY ${file}`, 'f.conf');
    // Root ignores directory permissions, so make the target a directory: the rename fails.
    fs.mkdirSync(file);
    events.emit({ type: 'CHANGE', name: 'a', mode: 0o600 });
    await events.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/EISDIR|ENOTEMPTY|EEXIST|EPERM/);
    expect(fs.readdirSync(sub)).toEqual(['perms.json']);             // the temp file was removed
    fs.rmdirSync(file);
    events.emit({ type: 'CHANGE', name: 'b', mode: 0o640 });
    await events.flush();
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).mounts['']).toEqual({ a: { mode: 0o600 }, b: { mode: 0o640 } });
  });
});

describe('crash safety', () => {
  let lib: string;
  let eventsModule: string;
  beforeAll(() => {
    lib = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-events-lib-'));
    eventsModule = compileEventsFor(lib);
  });
  afterAll(() => fs.rmSync(lib, { recursive: true, force: true }));

  /** Parses a state file written by the fixture and returns its round; throws if torn or mixed. */
  function checkState(text: string, perRound: number): number {
    const state = JSON.parse(text);                       // never torn
    const entries = Object.values(state?.mounts?.jail ?? {}) as DevAttrs[];
    const round = entries[0]?.uid as number;
    // One complete state: every name carries the same round, not a mix of two.
    if (state.format !== STATE_FORMAT || entries.length !== perRound
      || !entries.every((e) => e.uid === round && e.gid === round && e.mode === 0o640)) {
      throw new Error(`state file is not one complete state: ${text.slice(0, 200)}...`);
    }
    return round;
  }

  function startWriter(file: string, firstRound: number, perRound: number): Promise<ChildProcess> {
    const child = spawn(process.execPath, [FIXTURE, eventsModule, file, String(firstRound), String(perRound)],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    return new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      child.stderr!.on('data', (c) => { err += c; });
      child.stdout!.on('data', (c) => {
        out += c;
        if (out.includes('ready')) resolve(child);
      });
      child.on('exit', (code, sig) => reject(new Error(`writer exited early (${code ?? sig}): ${err}`)));
    });
  }

  function killed(child: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
      child.removeAllListeners('exit');
      child.on('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  test('SIGKILL at random moments always leaves one complete state, which a restart restores', async () => {
    const file = path.join(dir, 'perms.json');
    const perRound = 3000;              // ~150 KB of JSON per state
    let lastRound = 0;
    let roundsWhileReading = 0;
    const kills = 8;
    for (let k = 0; k < kills; k++) {
      const child = await startWriter(file, lastRound + 1, perRound);
      // Until the kill, keep reading the file as another process would: never a torn state.
      // Kill at a random moment, but only once the file has been seen to change (writes under way).
      const until = Date.now() + 20 + Math.floor(Math.random() * 130);
      const seen = new Set<number>();
      while (Date.now() < until || seen.size < 2) {
        seen.add(checkState(fs.readFileSync(file, 'utf8'), perRound));
        await new Promise((r) => setTimeout(r, 2)); // deliberate: paces the reader; the kill comes at a random moment
      }
      await killed(child);
      const round = checkState(fs.readFileSync(file, 'utf8'), perRound);
      expect(round).toBeGreaterThan(lastRound);           // the child had written (at least its first round)
      expect(round).toBeGreaterThanOrEqual(Math.max(...seen));
      roundsWhileReading += seen.size;
      lastRound = round;
    }

    // Restart: the state loads, stale temporary files of the dead writers are removed, RESTORE works.
    const leftovers = fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')).length;
    const host = new RecordingHost();
    const events = new Events({ host });
    events.loadConfig(`REGISTER .* RESTORE ${file}`, 'restart.conf');
    console.log(`crash test: last round ${lastRound}, ${roundsWhileReading} rounds seen by the reader, ${leftovers} temp file(s) of killed writers removed`);
    expect(fs.readdirSync(dir)).toEqual(['perms.json']);
    events.emit({ type: 'REGISTER', name: 'disk/md42p0' });
    await events.flush();
    expect(host.calls).toEqual([['jail', 'disk/md42p0', { uid: lastRound, gid: lastRound, mode: 0o640 }]]);
  }, 60_000);
});
