/**
 * UnixAcceptor (src/sock_accept.cc): a real listening Unix socket, real clients (this process, a
 * uid-65534 child), fds counted in /proc/self/fd, and a child whose fds are all taken (EMFILE).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { native } from '@devfs/native';
import type { PeerCred, UnixAcceptor, UnixAcceptorOptions } from '@devfs/native';
import { describeHost, needRoot, needTool } from '../../test-support/host';
import { until } from '../../test-support/wait';

let dir: string;
let seq = 0;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-acceptor-'));
  fs.chmodSync(dir, 0o755); // a uid-65534 client must reach the socket
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const fdCount = () => fs.readdirSync('/proc/self/fd').length;
const nextPath = () => path.join(dir, `a${seq++}.sock`);

interface Listening { acceptor: UnixAcceptor; path: string; got: Array<{ fd: number; cred: PeerCred }>; errors: Error[] }

/** An acceptor on a fresh path that records what it reports. */
function listen(extra: Partial<UnixAcceptorOptions> = {}): Listening {
  const p = nextPath();
  const got: Listening['got'] = [];
  const errors: Error[] = [];
  const acceptor = new native.UnixAcceptor({ path: p, onConnection: (fd, cred) => got.push({ fd, cred }), onError: (e) => errors.push(e), ...extra });
  return { acceptor, path: p, got, errors };
}

/** An accepted fd as the daemon makes it a socket. */
const socketOf = (fd: number) => new net.Socket({ fd, readable: true, writable: true, allowHalfOpen: true });

const closed = (s: net.Socket) => new Promise<void>((r) => (s.closed ? r() : s.once('close', () => r())));

describe('UnixAcceptor', () => {
  test('reports each connection with its fd and the peer credentials; the fd works as a net.Socket', async () => {
    const l = listen();
    const client = net.connect(l.path);
    try {
      await until(() => l.got.length === 1, 'the connection');
      expect(l.got[0].cred).toEqual({ pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
      expect(native.peerCred(l.got[0].fd)).toEqual(l.got[0].cred);
      const s = socketOf(l.got[0].fd);
      s.on('data', (b) => s.end(`echo ${b}`));
      let reply = '';
      client.on('data', (b) => { reply += b; });
      client.end('ping');
      await closed(client);
      expect(reply).toBe('echo ping');
      await closed(s);
      expect(l.errors).toEqual([]);
    } finally {
      client.destroy();
      l.acceptor.close();
    }
  });

  test('a burst of 50 connections is accepted in one wakeup (accept4 until EAGAIN), each once', async () => {
    const l = listen();
    let atFirstImmediate = -1;
    const clients: net.Socket[] = [];
    const acceptor = l.acceptor;
    // every connect() below completes into the backlog before the loop runs again
    for (let i = 0; i < 50; i++) clients.push(net.connect(l.path).on('error', () => undefined));
    await until(() => l.got.length > 0, 'the first connection');
    // the poll callback that saw the first one took them all before the check phase
    setImmediate(() => { atFirstImmediate = l.got.length; });
    await until(() => atFirstImmediate >= 0, 'the next check phase');
    expect(atFirstImmediate).toBe(50);
    expect(new Set(l.got.map((g) => g.fd)).size).toBe(50);
    expect(l.got.every((g) => g.cred.pid === process.pid)).toBe(true);
    const sockets = l.got.map((g) => socketOf(g.fd));
    for (const s of sockets) s.destroy();
    for (const c of clients) c.destroy();
    await Promise.all([...sockets, ...clients].map(closed));
    acceptor.close();
  });

  test('close() stops accepting, removes the socket file and leaves no fd behind (/proc/self/fd)', async () => {
    const before = fdCount();
    const l = listen();
    expect(fdCount()).toBe(before + 2); // the listening socket and the reserve for EMFILE
    expect(l.acceptor).toMatchObject({ path: l.path, closed: false });
    expect(fs.lstatSync(l.path).isSocket()).toBe(true);
    const clients = Array.from({ length: 5 }, () => net.connect(l.path).on('error', () => undefined));
    await until(() => l.got.length === 5, 'five connections');
    const sockets = l.got.map((g) => socketOf(g.fd));
    l.acceptor.close();
    l.acceptor.close(); // idempotent
    expect(l.acceptor).toMatchObject({ fd: -1, path: undefined, closed: true });
    expect(fs.existsSync(l.path)).toBe(false);
    // connections already made are untouched by close()
    const echoed = new Promise<string>((r) => clients[0].once('data', (b) => r(String(b))));
    sockets[0].write('still here');
    expect(await echoed).toBe('still here');
    for (const s of sockets) s.destroy();
    for (const c of clients) c.destroy();
    await Promise.all([...sockets, ...clients].map(closed));
    expect(fdCount()).toBe(before);
    const late = net.connect(l.path);
    const err = await new Promise<NodeJS.ErrnoException>((r) => late.once('error', r));
    expect(err.code).toBe('ENOENT');
    expect(l.got.length).toBe(5);
  });

  test('bad arguments throw the system-error shape and create or leak nothing', () => {
    const before = fdCount();
    const filesBefore = fs.readdirSync(dir);
    const cb = () => undefined;
    const shape = (fn: () => unknown, code: string, syscall: string, extra: object = {}) => {
      let thrown: unknown;
      try { fn(); } catch (e) { thrown = e; }
      expect(thrown).toMatchObject({ code, syscall, errno: expect.any(Number), ...extra });
      expect((thrown as Error).message).toMatch(new RegExp(`^${code}: `));
    };
    const Ctor = native.UnixAcceptor as unknown as new (o?: unknown) => UnixAcceptor;
    shape(() => new Ctor(), 'EINVAL', 'listen');
    shape(() => new Ctor({ path: nextPath() }), 'EINVAL', 'listen');
    shape(() => new Ctor({ onConnection: cb }), 'EINVAL', 'listen');
    shape(() => new Ctor({ path: nextPath(), fd: 0, onConnection: cb }), 'EINVAL', 'listen');
    shape(() => new Ctor({ path: nextPath(), onConnection: cb, onError: 1 }), 'EINVAL', 'listen');
    shape(() => new Ctor({ path: nextPath(), onConnection: cb, backlog: 0 }), 'EINVAL', 'listen');
    shape(() => new Ctor({ path: nextPath(), onConnection: cb, backlog: 1.5 }), 'EINVAL', 'listen');
    shape(() => new Ctor({ path: 7, onConnection: cb }), 'EINVAL', 'bind');
    shape(() => new Ctor({ path: '', onConnection: cb }), 'EINVAL', 'bind');
    shape(() => new Ctor({ path: 'a\0b', onConnection: cb }), 'EINVAL', 'bind');
    const long = path.join(dir, 'x'.repeat(120));
    shape(() => new Ctor({ path: long, onConnection: cb }), 'ENAMETOOLONG', 'bind', { errno: -36, path: long });
    const missing = path.join(dir, 'no-such-dir', 's.sock');
    shape(() => new Ctor({ path: missing, onConnection: cb }), 'ENOENT', 'bind', { path: missing });
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, '');
    shape(() => new Ctor({ path: file, onConnection: cb }), 'EADDRINUSE', 'bind', { path: file });
    expect(fs.readFileSync(file, 'utf8')).toBe('');
    fs.rmSync(file);
    shape(() => new Ctor({ fd: -1, onConnection: cb }), 'EBADF', 'listen');
    shape(() => new Ctor({ fd: 'x', onConnection: cb }), 'EINVAL', 'listen');
    const [r, w] = native.fdPipe();
    shape(() => new Ctor({ fd: r, onConnection: cb }), 'ENOTSOCK', 'getsockopt');
    const [sa, sb] = native.socketpairSeqpacket();
    shape(() => new Ctor({ fd: sa, onConnection: cb }), 'EINVAL', 'listen'); // not SOCK_STREAM
    // a failed adoption leaves the fd with the caller
    expect(native.fdPoll(r, 1)).toBe(0);
    expect(native.peerCred(sa).pid).toBe(process.pid);
    for (const fd of [r, w, sa, sb]) native.fdClose(fd);
    expect(fdCount()).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(filesBefore);
  });

  test('an adopted fd is accepted from; a second acceptor on a polled fd is EEXIST and leaves it working', async () => {
    const l = listen();
    const moved = `${l.path}.moved`;
    // the child adopts a copy of the listening socket (its fd 3); ours is closed and the file
    // renamed first, so every connection reaches the child's acceptor
    const child = spawn(process.execPath, ['-e', `
      const { native } = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'index.js'))});
      const a = new native.UnixAcceptor({ fd: 3, onConnection: (fd, cred) => {
        process.stdout.write(JSON.stringify({ cred, adoptedPath: a.path === undefined }) + '\\n');
        native.fdClose(fd);
        a.close();
      } });
      process.stdout.write('ready\\n');
    `], { stdio: ['ignore', 'pipe', 'inherit', l.acceptor.fd] });
    let out = '';
    child.stdout!.on('data', (b) => { out += b; });
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    try {
      await until(() => out.includes('ready'), 'the child to adopt fd 3', 10000);
      const Ctor = native.UnixAcceptor;
      expect(() => new Ctor({ fd: l.acceptor.fd, onConnection: () => undefined })).toThrow(expect.objectContaining({ code: 'EEXIST' }));
      fs.renameSync(l.path, moved);
      l.acceptor.close();
      const c = net.connect(moved);
      await closed(c);
      expect(await exited).toBe(0); // its acceptor closed: nothing keeps the child's loop alive
      const seen = JSON.parse(out.split('\n')[1]);
      expect(seen).toEqual({ cred: { pid: process.pid, uid: process.getuid!(), gid: process.getgid!() }, adoptedPath: true });
      expect(l.got).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(moved, { force: true });
    }
  });

  test('a socket from the fd behaves as one a net.Server accepted: half-close, writes after it, pause backpressure, end', async () => {
    /** One scenario against `accept()`: what each side saw, in order. */
    async function scenario(accept: (p: string) => Promise<{ socket: net.Socket; done(): void }>) {
      const p = nextPath();
      const pending = accept(p);
      const client = net.connect(p);
      const { socket, done } = await pending;
      const seen: string[] = [];
      socket.on('end', () => seen.push(`server end, writable ${socket.writable}`));
      client.on('end', () => seen.push('client end'));
      // paused: the client's 4 MiB back up in the kernel and in its own buffer
      socket.pause();
      client.write(Buffer.alloc(4 << 20, 1));
      await new Promise((r) => setTimeout(r, 200));
      seen.push(`paused: read < 1 MiB ${socket.bytesRead < (1 << 20)}, client still buffering ${client.writableLength > 0}`);
      let got = 0;
      socket.on('data', (b: Buffer) => { got += b.length; });
      socket.resume();
      client.end(); // half-close after the data
      await until(() => seen.some((s) => s.startsWith('server end')), 'the server side to see the end');
      seen.push(`server got ${got}`);
      socket.end('after your end'); // allowed: allowHalfOpen
      let reply = '';
      client.on('data', (b) => { reply += b; });
      await Promise.all([closed(client), closed(socket)]);
      seen.push(`client got '${reply}'`);
      done();
      return seen;
    }
    const viaServer = await scenario((p) => new Promise((resolve) => {
      const server = net.createServer({ allowHalfOpen: true }, (socket) => resolve({ socket, done: () => server.close() }));
      server.listen(p);
    }));
    const viaAcceptor = await scenario(async (p) => {
      const l = listen({ path: p });
      await until(() => l.got.length === 1, 'the connection');
      return { socket: socketOf(l.got[0].fd), done: () => l.acceptor.close() };
    });
    expect(viaServer).toEqual([
      'paused: read < 1 MiB true, client still buffering true',
      'server end, writable true',
      `server got ${4 << 20}`,
      'client end',
      "client got 'after your end'",
    ]);
    expect(viaAcceptor).toEqual(viaServer);
  });
});

describeHost('UnixAcceptor and a uid-65534 client process', [needRoot], () => {
  test('the credentials are the client\'s: uid 65534, gid 65534, its pid', async () => {
    const l = listen();
    fs.chmodSync(l.path, 0o666);
    const child = spawn(process.execPath, ['-e', `
      const s = require('net').connect(process.env.SOCK);
      s.on('data', (b) => { process.stdout.write(String(b)); s.end(); });
    `], { cwd: '/', uid: 65534, gid: 65534, env: { SOCK: l.path }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (b) => { out += b; });
    child.stderr!.on('data', (b) => { out += b; });
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    try {
      await until(() => l.got.length === 1, 'the uid-65534 connection', 10000);
      expect(l.got[0].cred).toEqual({ uid: 65534, gid: 65534, pid: child.pid });
      const s = socketOf(l.got[0].fd);
      s.end(`you are ${l.got[0].cred.uid}`);
      expect(await exited).toBe(0);
      expect(out).toBe('you are 65534');
    } finally {
      child.kill('SIGKILL');
      l.acceptor.close();
    }
  });
});

describeHost('UnixAcceptor out of fds (a child under prlimit)', [needTool('prlimit')], () => {
  test('EMFILE: with its reserve the waiting clients are closed at once; without one it pauses (no busy loop) and serves them once fds are free', async () => {
    const pathA = nextPath();
    const pathB = nextPath();
    const child: ChildProcess = spawn('prlimit', ['--nofile=128:128', process.execPath, path.join(__dirname, 'fixtures', 'acceptor-emfile.js'), pathA, pathB], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines: Array<Record<string, unknown>> = [];
    let buf = '';
    child.stdout!.on('data', (b) => {
      buf += b;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) { lines.push(JSON.parse(buf.slice(0, nl))); buf = buf.slice(nl + 1); }
    });
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    const step = async (name: string, send?: string) => {
      if (send) child.stdin!.write(`${send}\n`);
      await until(() => lines.some((l) => l.step === name), `the child's '${name}'`, 10000);
      return lines.find((l) => l.step === name)!;
    };
    /** A client that records what it received and whether it was closed. */
    const client = (p: string) => {
      const c = net.connect(p).on('error', () => undefined);
      const r = { data: '', closed: false };
      c.on('data', (b) => { r.data += b; });
      c.on('close', () => { r.closed = true; });
      return r;
    };
    try {
      await step('full');
      // A holds its reserve: each waiting connection is accepted and closed right away
      const shed = [client(pathA), client(pathA), client(pathA)];
      await until(() => shed.every((c) => c.closed), 'A to close the connections it cannot serve');
      expect(shed.map((c) => c.data)).toEqual(['', '', '']);
      await step('b', 'b');
      // B has no reserve: its clients wait in the backlog while it pauses between tries
      const waiting = [client(pathB), client(pathB)];
      const cpu = await step('cpu', 'cpu');
      expect(cpu.cpuMs).toBeLessThan(300); // a busy loop would spend the whole second
      expect(cpu.errors).toBeGreaterThanOrEqual(3); // retried about every 100 ms, each reported
      expect(cpu.errors).toBeLessThanOrEqual(15);
      expect(waiting.some((c) => c.closed)).toBe(false);
      await step('freed', 'free');
      await until(() => waiting.every((c) => c.closed), 'B to serve its waiting clients');
      expect(waiting.map((c) => c.data)).toEqual(['served by B', 'served by B']);
      const report = await step('report', 'report');
      const errors = report.errors as Array<{ name: string; code: string; errno: number; syscall: string }>;
      expect(errors.find((e) => e.name === 'A')).toMatchObject({ code: 'EMFILE', errno: -24, syscall: 'accept' });
      expect(errors.filter((e) => e.name === 'B').every((e) => e.code === 'EMFILE' && e.syscall === 'accept')).toBe(true);
      expect(report.conns).toEqual([{ name: 'B', pid: process.pid }, { name: 'B', pid: process.pid }]);
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
