/**
 * One FUSE connection: /dev/fuse opened and mounted (mount(2) as root, fusermount3 otherwise),
 * requests read on the Node loop by an FdPoller in datagram mode (one read() = one request,
 * read into a buffer of max_write plus headers), replies written with one writev each.
 */
import * as fs from 'fs';
import { spawn } from 'child_process';
import { devfsError, toDevfsError } from '@devfs/core';
import { native } from '@devfs/native';
import type { FdPoller } from '@devfs/native';
import { MAX_WRITE, REQUEST_BUFFER } from './proto/layout';
import { outHeader } from './proto/codec';

/** What a session delivers. */
export interface SessionHandlers {
  /** One request (a Buffer of its own: keep it as long as needed). */
  request(buf: Buffer): void;
  /** The connection ended (unmounted, aborted, or a read error). */
  end(err?: Error): void;
}

/** Requests the kernel may queue in our frame queue before we stop reading /dev/fuse. */
const QUEUE_REQUESTS = 64;

/** Runs fusermount3 to mount `dir`, returning the /dev/fuse fd it hands over (SCM_RIGHTS). */
async function fusermountMount(dir: string, options: string): Promise<number> {
  const [ours, theirs] = native.socketpairSeqpacket();
  try {
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn('fusermount3', ['-o', options, '--', dir], {
        env: { ...process.env, _FUSE_COMMFD: '3' }, stdio: ['ignore', 'ignore', 'pipe', theirs],
      });
      let err = '';
      child.stderr!.on('data', (d: Buffer) => { if (err.length < 512) err += d.toString(); });
      child.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT'
        ? devfsError('ENOTSUP', 'mount', dir, 'not root and fusermount3 is not installed: run the daemon as root, or install fuse3 (apt-get install fuse3)')
        : toDevfsError(e, 'mount', dir)));
      child.on('close', (c) => (c === 0 ? resolve(0) : reject(devfsError('EPERM', 'mount', dir, `fusermount3 failed: ${err.trim().split('\n')[0] || `exit ${c}`}`))));
    });
    void code;
    return native.fuseRecvFd(ours);
  } finally {
    native.fdClose(ours);
    native.fdClose(theirs);
  }
}

/** Runs `fusermount3 -u -z dir` (the non-root unmount). */
function fusermountUnmount(dir: string): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn('fusermount3', ['-u', '-z', '--', dir], { stdio: 'ignore' });
    child.on('error', () => resolve());
    child.on('close', () => resolve());
  });
}

/** A mounted FUSE connection. */
export class FuseSession {
  private poller: FdPoller | undefined;
  private closed = false;

  private constructor(readonly dir: string, readonly fd: number, private readonly viaFusermount: boolean) {}

  /**
   * Opens /dev/fuse and mounts it at `dir` (an existing directory): mount(2) with
   * `allow_other`, MS_NODEV|MS_NOSUID, fsname devfs, type fuse.devfs when root; fusermount3
   * otherwise (only the mounting user sees it unless /etc/fuse.conf has user_allow_other).
   */
  static async mount(dir: string): Promise<FuseSession> {
    if (process.geteuid?.() === 0) {
      const fd = native.fuseOpenDevice();
      try {
        native.fuseMount(dir, 'fuse.devfs', `fd=${fd},rootmode=40000,user_id=0,group_id=0,allow_other,max_read=${MAX_WRITE}`);
      } catch (err) {
        native.fdClose(fd);
        throw toDevfsError(err, 'mount', dir);
      }
      return new FuseSession(dir, fd, false);
    }
    const fd = await fusermountMount(dir, `fsname=devfs,subtype=devfs,nodev,nosuid,max_read=${MAX_WRITE}`);
    return new FuseSession(dir, fd, true);
  }

  /** Starts reading requests. */
  start(h: SessionHandlers): void {
    const poller = new native.FdPoller(this.fd, {
      mode: 'datagram', readSize: REQUEST_BUFFER, queueFrames: QUEUE_REQUESTS,
      onFrames: () => {
        for (;;) {
          const len = poller.nextFrameLength();
          if (len === 0 || this.closed) return;
          const buf = Buffer.allocUnsafe(len);
          poller.readFrame(buf);
          h.request(buf);
        }
      },
      // ENODEV: the filesystem was unmounted (or the connection aborted) — a normal end.
      onEnd: (err) => h.end(err && (err as NodeJS.ErrnoException).code !== 'ENODEV' ? err : undefined),
    });
    this.poller = poller;
    poller.startReading();
  }

  /**
   * Writes one reply (`error` 0 or a positive errno). ENOENT means the request was interrupted
   * and already answered; other errors (the connection is gone) are dropped too: there is
   * nobody left to tell.
   */
  reply(unique: number, error: number, ...payload: Buffer[]): void {
    if (this.closed) return;
    const len = error ? 0 : payload.reduce((n, b) => n + b.length, 0);
    const parts = error ? [outHeader(unique, -error, 0)] : [outHeader(unique, 0, len), ...payload];
    try {
      native.fuseWritev(this.fd, parts);
    } catch { /* ENOENT (interrupted), ENODEV (unmounted) */ }
  }

  /**
   * Sends a notification from the thread pool: an invalidation can wait in the kernel for a
   * directory lock that a request we are answering holds, so it must never block the loop.
   */
  notify(code: number, ...payload: Buffer[]): void {
    if (this.closed) return;
    const len = payload.reduce((n, b) => n + b.length, 0);
    fs.writev(this.fd, [outHeader(0, code, len), ...payload], () => { /* ENOENT: the kernel forgot the node */ });
  }

  /** Stops reading, unmounts (lazily: never waits for a caller) and closes the fd. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.poller?.close();
    try {
      if (this.viaFusermount) await fusermountUnmount(this.dir);
      else native.fuseUnmount(this.dir);
    } catch { /* already unmounted (EINVAL) */ }
    native.fdClose(this.fd);
  }
}
