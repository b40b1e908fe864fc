/**
 * The FUSE export: serves a FuseSession's requests from devfs mounts. Each request runs as its
 * caller (uid/gid/pid from the FUSE header, groups from /proc) against the mount `mountFor`
 * picks for that caller; answers go out as soon as each is ready, in any order.
 */
import * as path from 'path';
import { devfsError } from '@devfs/core';
import type { Mount } from '@devfs/core';
import { parseRequest, u64 } from './proto/codec';
import type { Request } from './proto/codec';
import {
  BATCH_FORGET_IN, FORGET_IN, FUSE_KERNEL_MINOR_VERSION, FUSE_KERNEL_VERSION, INIT_ASYNC_READ, INIT_BIG_WRITES,
  INIT_EXT, INIT2_PASSTHROUGH, INIT_IN, INIT_MAX_PAGES, INIT_OUT, INIT_PARALLEL_DIROPS, INTERRUPT_IN, MAX_PAGES, MAX_WRITE,
  NOTIFY_INVAL_ENTRY, NOTIFY_INVAL_ENTRY_OUT, NOTIFY_INVAL_INODE, NOTIFY_INVAL_INODE_OUT, Op,
} from './proto/layout';
import { Callers } from './callers';
import { NodeTable, splitLast } from './nodes';
import { FuseSession } from './session';
import { prepareMountPoint } from './mountpoint';
import { Errno, errnoOf, fail } from './context';
import type { Call, ExportState, FuseExportOptions } from './context';
import * as entries from './ops/entries';
import * as dirs from './ops/dirs';
import * as files from './ops/files';

type Handler = (s: ExportState, c: Call) => Buffer | Promise<Buffer>;

/** Bytes of WRITE payload that callers other than root may have waiting at once (64 MiB). */
const HELD_WRITE_BYTES = 64 * 1024 * 1024;

/** The operations answered (anything else is ENOSYS). */
const HANDLERS: Partial<Record<number, Handler>> = {
  [Op.LOOKUP]: entries.lookup, [Op.GETATTR]: entries.getattr, [Op.SETATTR]: entries.setattr,
  [Op.READLINK]: entries.readlink, [Op.SYMLINK]: entries.symlink, [Op.UNLINK]: entries.unlink,
  [Op.MKNOD]: entries.mknod, [Op.ACCESS]: entries.access, [Op.STATFS]: entries.statfs,
  [Op.OPENDIR]: dirs.opendir, [Op.READDIR]: dirs.readdir, [Op.RELEASEDIR]: dirs.releasedir,
  [Op.OPEN]: files.open, [Op.READ]: files.read, [Op.WRITE]: files.write, [Op.RELEASE]: files.release,
  [Op.FLUSH]: files.flush, [Op.FSYNC]: files.flush, [Op.FSYNCDIR]: files.flush, [Op.POLL]: files.poll,
  [Op.IOCTL]: files.ioctl,
};

/** A running export. */
export interface FuseExport {
  /** The mount point (absolute). */
  readonly dir: string;
  /** True when a devfs export left by a killed daemon was found there and replaced. */
  readonly replacedStale: boolean;
  /** Requests being answered now. */
  readonly inFlight: number;
  /** Unmounts (lazily) and releases every open handle. Idempotent. */
  close(): Promise<void>;
}

/**
 * Mounts the export at `opts.dir` and starts answering. Rejects with a coded error (EBUSY when
 * something live is mounted there, EPERM/ENOTSUP when this process cannot mount).
 */
export async function startFuseExport(opts: FuseExportOptions): Promise<FuseExport> {
  const dir = path.resolve(opts.dir);
  const { replacedStale } = await prepareMountPoint(dir);
  const session = await FuseSession.mount(dir);
  const s: ExportState = {
    opts, session, nodes: new NodeTable(), files: new Map(), dirs: new Map(), nextFh: 1,
    timeout: Math.max(0, opts.cacheSeconds ?? 0), passthrough: false,
  };
  const callers = new Callers();
  const inflight = new Map<number, Call>();
  let ended = false;

  // bytes of WRITE requests being answered for callers other than root (a stalled device holds them)
  let heldBytes = 0;
  const done = (c: Call) => {
    inflight.delete(c.unique);
    heldBytes -= c.held;
  };
  const reply = (c: Call, r: Buffer) => {
    done(c);
    session.reply(c.unique, 0, r);
  };
  const replyErr = (c: Call, err: unknown) => {
    done(c);
    session.reply(c.unique, err instanceof Errno ? err.errno : errnoOf(err));
  };

  const handle = (buf: Buffer) => {
    const req = parseRequest(buf);
    if (!req) return;
    switch (req.opcode) {
      case Op.INIT: {
        const { out, passthrough } = initOut(req, !!opts.passthrough);
        s.passthrough = passthrough;
        return session.reply(req.unique, 0, out);
      }
      case Op.FORGET: return s.nodes.forget(req.nodeid, u64(req.body, FORGET_IN.nlookup));
      case Op.BATCH_FORGET: return batchForget(s, req);
      case Op.INTERRUPT: {
        const c = inflight.get(u64(req.body, INTERRUPT_IN.unique));
        if (c) { c.interrupted = true; c.onInterrupt?.(); }
        return;
      }
      case Op.DESTROY: return session.reply(req.unique, 0);
    }
    const h = HANDLERS[req.opcode];
    if (!h) return session.reply(req.unique, 38 /* ENOSYS */);
    const c = callOf(req, s, callers);
    if (req.opcode === Op.WRITE && req.uid !== 0) {
      // bounded: past the budget a non-root write is refused at once (root is always served)
      if (heldBytes + req.body.length > (opts.maxHeldWriteBytes ?? HELD_WRITE_BYTES)) return session.reply(req.unique, 105 /* ENOBUFS */);
      c.held = req.body.length;
      heldBytes += c.held;
    }
    inflight.set(c.unique, c);
    try {
      const r = h(s, c);
      if (r instanceof Promise) r.then((b) => reply(c, b), (e) => replyErr(c, e));
      else reply(c, r);
    } catch (err) {
      replyErr(c, err);
    }
  };

  const offEvents = watchChanges(s);
  const close = async () => {
    if (ended) return;
    ended = true;
    offEvents?.();
    await session.close();
    const open = [...s.files.values()];
    s.files.clear();
    s.dirs.clear();
    await Promise.all(open.map((f) => f.file.close().catch(() => undefined)));
  };
  session.start({
    request: handle,
    end: (err) => {
      if (!ended) opts.log?.(`fuse export at ${dir} ${err ? `ended: ${(err as Error).message}` : 'was unmounted from outside'}`);
      void close();
    },
  });
  return { dir, replacedStale, get inFlight() { return inflight.size; }, close };
}

/** The Call of a request: its node, its caller's credential, and (lazily) the caller's mount. */
function callOf(req: Request, s: ExportState, callers: Callers): Call {
  const cred = callers.credOf(req.uid, req.gid, req.pid);
  let m: Mount | undefined;
  return {
    unique: req.unique, nodeid: req.nodeid, node: s.nodes.get(req.nodeid), cred, body: req.body, interrupted: false, held: 0,
    mount: () => {
      if (m) return m;
      m = s.opts.mountFor(cred);
      if (!m) fail('EACCES');
      return m;
    },
  };
}

/**
 * fuse_init_out: protocol 7.min(kernel, ours), 1 MiB requests (FUSE_MAX_PAGES), async reads; and
 * FUSE_PASSTHROUGH (stack depth 1) when asked for and offered by the kernel.
 */
function initOut(req: Request, wantPassthrough: boolean): { out: Buffer; passthrough: boolean } {
  const b = Buffer.alloc(INIT_OUT.size);
  const kflags = req.body.readUInt32LE(INIT_IN.flags);
  const minor = Math.min(req.body.readUInt32LE(INIT_IN.minor), FUSE_KERNEL_MINOR_VERSION);
  b.writeUInt32LE(FUSE_KERNEL_VERSION, INIT_OUT.major);
  b.writeUInt32LE(minor, INIT_OUT.minor);
  b.writeUInt32LE(req.body.readUInt32LE(INIT_IN.maxReadahead), INIT_OUT.maxReadahead);
  b.writeUInt32LE(kflags & (INIT_ASYNC_READ | INIT_BIG_WRITES | INIT_MAX_PAGES | INIT_PARALLEL_DIROPS | INIT_EXT), INIT_OUT.flags);
  b.writeUInt16LE(64, INIT_OUT.maxBackground);
  b.writeUInt16LE(48, INIT_OUT.congestionThreshold);
  b.writeUInt32LE(MAX_WRITE, INIT_OUT.maxWrite);
  b.writeUInt32LE(1, INIT_OUT.timeGran);
  b.writeUInt16LE(MAX_PAGES, INIT_OUT.maxPages);
  const ext = (kflags & INIT_EXT) !== 0 && req.body.length >= INIT_IN.flags2 + 4;
  const passthrough = wantPassthrough && ext && (req.body.readUInt32LE(INIT_IN.flags2) & INIT2_PASSTHROUGH) !== 0;
  if (passthrough) {
    b.writeUInt32LE(INIT2_PASSTHROUGH, INIT_OUT.flags2);
    b.writeUInt32LE(1, INIT_OUT.maxStackDepth);
  }
  return { out: b, passthrough };
}

function batchForget(s: ExportState, req: Request): void {
  const count = req.body.readUInt32LE(BATCH_FORGET_IN.count);
  for (let i = 0; i < count; i++) {
    const off = BATCH_FORGET_IN.size + i * BATCH_FORGET_IN.oneSize;
    if (off + BATCH_FORGET_IN.oneSize > req.body.length) break;
    s.nodes.forget(u64(req.body, off + BATCH_FORGET_IN.oneNodeid), u64(req.body, off + BATCH_FORGET_IN.oneNlookup));
  }
}

/**
 * Every change of a name the kernel may hold is pushed as FUSE_NOTIFY_INVAL_INODE (its
 * attributes, in every view); with names cached too (one mount for everyone), also as
 * FUSE_NOTIFY_INVAL_ENTRY of the name and each directory above it.
 */
function watchChanges(s: ExportState): () => void {
  const TYPES = new Set(['REGISTER', 'UNREGISTER', 'CREATE', 'DELETE', 'CHANGE']);
  const invalEntry = (dir: string, base: string) => {
    for (const parent of s.nodes.named(dir)) {
      const nameBuf = Buffer.from(`${base}\0`);
      const b = Buffer.alloc(NOTIFY_INVAL_ENTRY_OUT.size);
      b.writeBigUInt64LE(BigInt(parent.id), NOTIFY_INVAL_ENTRY_OUT.parent);
      b.writeUInt32LE(nameBuf.length - 1, NOTIFY_INVAL_ENTRY_OUT.namelen);
      s.session.notify(NOTIFY_INVAL_ENTRY, b, nameBuf);
    }
  };
  return s.opts.kernel.events.on((e) => {
    if (!TYPES.has(e.type)) return;
    for (const node of s.nodes.named(e.name)) {
      const b = Buffer.alloc(NOTIFY_INVAL_INODE_OUT.size);
      b.writeBigUInt64LE(BigInt(node.id), NOTIFY_INVAL_INODE_OUT.ino);
      s.session.notify(NOTIFY_INVAL_INODE, b);
    }
    // the name and every directory above it (a directory appears or goes with its first/last entry)
    if (s.timeout > 0) for (let p = e.name; p !== ''; p = splitLast(p)[0]) invalEntry(...splitLast(p));
  });
}

/** Checks an export directory argument (absolute or relative, not empty). */
export function checkExportDir(dir: unknown): string {
  if (typeof dir !== 'string' || dir === '' || dir.includes('\0')) throw devfsError('EINVAL', 'mount', String(dir), 'the FUSE export needs a directory');
  return path.resolve(dir);
}


