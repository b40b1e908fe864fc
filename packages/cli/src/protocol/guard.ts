/**
 * A guard in front of vscode-jsonrpc's StreamMessageReader. The reader trusts Content-Length and
 * buffers whatever it is told, so a client announcing 100 MB would make the daemon buffer 100 MB.
 * The guard parses the base-protocol framing itself on the raw bytes (header lines `Name: value`
 * ending in a blank line, a decimal Content-Length no larger than the limit, at most
 * MAX_HEADER_BYTES of header) and the first violation fails the stream with a DevfsError (EPROTO or
 * EMSGSIZE) before anything large is buffered.
 *
 * The guard, not the reader, holds an incomplete message: it passes on only whole messages (header
 * and body in one Buffer, which the reader parses at once), so what a client has half-sent lives
 * in exactly one place, is charged to a shared {@link ByteBudget} while it waits (ENOBUFS when the
 * budget is spent) and is dropped — and refunded — the moment the stream is destroyed. A message
 * must be complete within `frameTimeoutMs` of its first byte (ETIMEDOUT: slowloris). `ready()`
 * gates the next message: while it is false the guard stops consuming (the rest of the chunk
 * waits, the socket is no longer read) until `wake()`.
 */
import { Transform, TransformCallback } from 'stream';
import { devfsError } from '@devfs/core/base';
import { MAX_HEADER_BYTES, MAX_MESSAGE_BYTES } from './limits';

const CRLF2 = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);

/** A pool of bytes shared by several guards (the daemon's aggregate cap on incomplete messages). */
export interface ByteBudget {
  /** Takes `n` bytes; false (nothing taken) when fewer remain. */
  take(n: number): boolean;
  /** Gives `n` bytes back. */
  give(n: number): void;
}

/** A ByteBudget of `cap` bytes. */
export class SharedBudget implements ByteBudget {
  private used = 0;

  constructor(readonly cap: number) {}

  /** Bytes taken now. */
  get inUse(): number {
    return this.used;
  }

  take(n: number): boolean {
    if (this.used + n > this.cap) return false;
    this.used += n;
    return true;
  }

  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}

/** Options of FrameGuard (every one optional). */
export interface FrameGuardOptions {
  maxBody?: number;
  maxHeader?: number;
  /** Charged with the bytes of an incomplete message while it waits (none: unlimited). */
  budget?: ByteBudget;
  /** Time from a message's first byte to its last, in ms (none: no deadline). */
  frameTimeoutMs?: number;
  /** Asked before each message is consumed; false holds the stream until wake(). */
  ready?: () => boolean;
}

/** Validates JSON-RPC base-protocol framing and passes on whole messages. */
export class FrameGuard extends Transform {
  private header: Buffer = EMPTY;
  private head: Buffer = EMPTY;
  private body: Buffer[] = [];
  private bodyHave = 0;
  private remaining = -1;
  private charged = 0;
  private timer: NodeJS.Timeout | undefined;
  private held: { chunk: Buffer; off: number; done: TransformCallback } | undefined;
  private readonly maxBody: number;
  private readonly maxHeader: number;

  private readonly opts: FrameGuardOptions;

  /** `new FrameGuard(options)`, or the older `new FrameGuard(maxBody, maxHeader)`. */
  constructor(opts: FrameGuardOptions | number = {}, maxHeader?: number) {
    super();
    this.opts = typeof opts === 'number' ? { maxBody: opts, maxHeader } : opts;
    this.maxBody = this.opts.maxBody ?? MAX_MESSAGE_BYTES;
    this.maxHeader = this.opts.maxHeader ?? MAX_HEADER_BYTES;
  }

  /** Bytes of an incomplete message held now. */
  get pendingBytes(): number {
    return this.header.length + (this.remaining >= 0 ? this.head.length + this.bodyHave : 0);
  }

  /** Re-checks `ready()` and continues a held stream. */
  wake(): void {
    const h = this.held;
    if (!h || this.destroyed) return;
    this.held = undefined;
    this.run(h.chunk, h.off, h.done);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.run(chunk, 0, done);
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    this.release();
    cb(err);
  }

  private run(chunk: Buffer, off: number, done: TransformCallback): void {
    let end: number | 'held';
    try {
      end = this.consume(chunk, off, done);
      if (end !== 'held') this.account();
    } catch (err) {
      this.release();
      done(err as Error);
      return;
    }
    if (end !== 'held') done();
  }

  /** Consumes `chunk` from `off`; 'held' when ready() stopped it (done is kept for wake()). */
  private consume(chunk: Buffer, off: number, done: TransformCallback): number | 'held' {
    while (off < chunk.length) {
      if (this.remaining < 0 && this.header.length === 0 && this.opts.ready && !this.opts.ready()) {
        this.held = { chunk, off, done };
        return 'held';
      }
      if (this.remaining < 0) off = this.consumeHeader(chunk, off);
      else off = this.consumeBody(chunk, off);
    }
    return off;
  }

  private consumeHeader(chunk: Buffer, off: number): number {
    this.startClock();
    const prev = this.header.length;
    const window = chunk.subarray(off, off + this.maxHeader + 4);
    const joined = prev ? Buffer.concat([this.header, window]) : window;
    const end = joined.indexOf(CRLF2);
    if (end < 0) {
      if (joined.length > this.maxHeader) throw devfsError('EPROTO', 'rpc.read', undefined, `message header longer than ${this.maxHeader} bytes`);
      this.header = Buffer.from(joined); // a copy: never keep a large socket chunk alive for a few header bytes
      return chunk.length;
    }
    if (end + 4 > this.maxHeader) throw devfsError('EPROTO', 'rpc.read', undefined, `message header longer than ${this.maxHeader} bytes`);
    const length = this.parseHeader(joined.subarray(0, end).toString('latin1'));
    const next = off + end + 4 - prev;
    this.header = EMPTY;
    if (length === 0) {
      this.frameDone(joined.subarray(0, end + 4));
      return next;
    }
    this.head = Buffer.from(joined.subarray(0, end + 4));
    this.remaining = length;
    return next;
  }

  private consumeBody(chunk: Buffer, off: number): number {
    const n = Math.min(this.remaining, chunk.length - off);
    const piece = chunk.subarray(off, off + n);
    this.remaining -= n;
    if (this.remaining === 0) {
      const whole = Buffer.concat([this.head, ...this.body, piece]);
      this.head = EMPTY;
      this.body = [];
      this.bodyHave = 0;
      this.remaining = -1;
      this.frameDone(whole);
    } else {
      // keep a copy when the piece is a small view of a larger chunk (what is charged is what is held)
      this.body.push(piece.length * 2 < piece.buffer.byteLength ? Buffer.from(piece) : piece);
      this.bodyHave += n;
    }
    return off + n;
  }

  private frameDone(message: Buffer): void {
    this.stopClock();
    this.push(message);
  }

  /** Charges (or refunds) the budget for what is held now; ENOBUFS when it is spent. */
  private account(): void {
    const pending = this.pendingBytes;
    const budget = this.opts.budget;
    if (budget && pending > this.charged) {
      if (!budget.take(pending - this.charged)) {
        throw devfsError('ENOBUFS', 'rpc.read', undefined, 'the daemon holds too many incomplete messages (limits.pendingFrameBytes); send whole messages');
      }
    } else if (budget && pending < this.charged) {
      budget.give(this.charged - pending);
    }
    this.charged = pending;
  }

  private startClock(): void {
    const ms = this.opts.frameTimeoutMs;
    if (this.timer || ms === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.destroy(devfsError('ETIMEDOUT', 'rpc.read', undefined, `message not completed within ${ms} ms (limits.frameTimeoutMs)`));
    }, ms);
    this.timer.unref();
  }

  private stopClock(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Drops what is held and refunds the budget. */
  private release(): void {
    this.stopClock();
    this.opts.budget?.give(this.charged);
    this.charged = 0;
    this.header = EMPTY;
    this.head = EMPTY;
    this.body = [];
    this.bodyHave = 0;
    this.remaining = -1;
    this.held = undefined;
  }

  private parseHeader(text: string): number {
    let length: number | undefined;
    for (const line of text.split('\r\n')) {
      const m = /^([A-Za-z][A-Za-z0-9-]*): *(.*)$/.exec(line);
      if (!m) throw devfsError('EPROTO', 'rpc.read', undefined, `malformed header line ${JSON.stringify(line.slice(0, 40))}`);
      if (m[1].toLowerCase() === 'content-length') {
        if (!/^\d{1,12}$/.test(m[2])) throw devfsError('EPROTO', 'rpc.read', undefined, `bad Content-Length ${JSON.stringify(m[2].slice(0, 20))}`);
        length = Number(m[2]);
      }
    }
    if (length === undefined) throw devfsError('EPROTO', 'rpc.read', undefined, 'message without Content-Length');
    if (length > this.maxBody) throw devfsError('EMSGSIZE', 'rpc.read', undefined, `message of ${length} bytes exceeds the ${this.maxBody}-byte limit`);
    return length;
  }
}
