/**
 * A guard in front of vscode-jsonrpc's StreamMessageReader. The reader trusts Content-Length and
 * buffers whatever it is told, so a client announcing 100 MB would make the daemon buffer 100 MB.
 * The guard parses the base-protocol framing itself on the raw bytes (header lines `Name: value`
 * ending in a blank line, a decimal Content-Length no larger than the limit, at most
 * MAX_HEADER_BYTES of header) and passes the bytes through unchanged; the first violation fails
 * the stream with a DevfsError (EPROTO or EMSGSIZE) before anything large is buffered.
 */
import { Transform, TransformCallback } from 'stream';
import { devfsError } from '@devfs/core';
import { MAX_HEADER_BYTES, MAX_MESSAGE_BYTES } from './limits';

const CRLF2 = Buffer.from('\r\n\r\n');

/** Validates JSON-RPC base-protocol framing while passing bytes through. */
export class FrameGuard extends Transform {
  private header: Buffer = Buffer.alloc(0);
  private remaining = 0;

  constructor(private readonly maxBody = MAX_MESSAGE_BYTES, private readonly maxHeader = MAX_HEADER_BYTES) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.consume(chunk);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  private consume(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - off);
        this.push(chunk.subarray(off, off + n));
        this.remaining -= n;
        off += n;
        continue;
      }
      const prev = this.header.length;
      this.header = Buffer.concat([this.header, chunk.subarray(off)]);
      const end = this.header.indexOf(CRLF2);
      if (end < 0) {
        if (this.header.length > this.maxHeader) throw devfsError('EPROTO', 'rpc.read', undefined, `message header longer than ${this.maxHeader} bytes`);
        return;
      }
      if (end + 4 > this.maxHeader) throw devfsError('EPROTO', 'rpc.read', undefined, `message header longer than ${this.maxHeader} bytes`);
      const length = this.parseHeader(this.header.subarray(0, end).toString('latin1'));
      this.push(this.header.subarray(0, end + 4));
      off += end + 4 - prev;
      this.header = Buffer.alloc(0);
      this.remaining = length;
    }
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
