/** The control-socket client: one JSON-RPC connection; daemon errors become DevfsErrors. */
import * as net from 'net';
import { devfsError, DevfsError } from '@devfs/core/base';
import {
  createMessageConnection, Logger, MessageConnection, ResponseError, StreamMessageReader, StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import { ErrorData, HelloResult, M } from '../protocol/methods';

/** Opens a Unix-socket connection (a clear ENOENT/ECONNREFUSED when no daemon listens). */
export function connectSocket(file: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(file);
    s.once('connect', () => { s.removeAllListeners('error'); resolve(s); });
    s.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'EIO';
      const why = code === 'ENOENT' || code === 'ECONNREFUSED' ? `no devfs daemon is listening on ${file} (start one with \`devfs daemon\`)` : err.message;
      reject(devfsError(code, 'connect', file, why));
    });
  });
}

/** A connected client. */
export class DevfsClient {
  private constructor(readonly socketPath: string, readonly socket: net.Socket, readonly conn: MessageConnection, readonly hello: HelloResult,
    private readonly race: <T>(p: Promise<T>, method: string) => Promise<T>) {}

  /** Connects, and selects `mount` when given (root only). */
  static async connect(socketPath: string, mount?: string): Promise<DevfsClient> {
    const socket = await connectSocket(socketPath);
    socket.on('error', () => undefined);
    const refused = refusalOf(socket);
    const conn = createMessageConnection(new StreamMessageReader(socket), new StreamMessageWriter(socket), refused.logger);
    conn.listen();
    const hello = await refused.race(call<HelloResult>(conn, M.hello, mount !== undefined ? { mount } : {}), M.hello);
    return new DevfsClient(socketPath, socket, conn, hello, refused.race);
  }

  /** Sends a request; rejects with a DevfsError carrying the daemon's code (also when the daemon disconnects us). */
  request<T>(method: string, params: object = {}): Promise<T> {
    return this.race(call<T>(this.conn, method, params), method);
  }

  /** Subscribes to a daemon notification. */
  on<P>(notification: string, fn: (p: P) => void): void {
    this.conn.onNotification(notification, fn);
  }

  /** Resolves when the daemon closes the connection. */
  closed(): Promise<void> {
    return new Promise((r) => { if (this.socket.destroyed) r(); else this.socket.once('close', () => r()); });
  }

  /** Closes the connection. */
  close(): void {
    this.conn.dispose();
    this.socket.destroy();
  }
}

/**
 * The daemon refuses a connection (a limit, a protocol error) with one JSON-RPC error without an
 * id, then closes; vscode-jsonrpc only logs such a message. This keeps its text and makes a
 * request still waiting when the socket closes reject with it (instead of never settling).
 */
function refusalOf(socket: net.Socket): { logger: Logger; race: <T>(p: Promise<T>, method: string) => Promise<T> } {
  let why: string | undefined;
  const logger: Logger = {
    error: (m: string) => {
      try { why = (JSON.parse(m.slice(m.indexOf('{'))) as { message?: string }).message ?? why; } catch { /* not a refusal */ }
    },
    warn: () => undefined, info: () => undefined, log: () => undefined,
  };
  // the reader decodes asynchronously: give the refusal a moment to be logged before reporting the close
  const gone = new Promise<string | undefined>((resolve) => socket.once('close', () => setTimeout(() => resolve(why), 50)));
  const race = <T>(p: Promise<T>, method: string) => Promise.race([p, gone.then((w): never => {
    const code = (w && /^(E[A-Z0-9]+): /.exec(w)?.[1]) || 'ECONNRESET';
    throw devfsError(code, method, undefined, w ? `the daemon refused this connection: ${w.replace(/^E[A-Z0-9]+: /, '')}` : 'the daemon closed the connection');
  })]);
  return { logger, race };
}

async function call<T>(conn: MessageConnection, method: string, params: object): Promise<T> {
  try {
    return await conn.sendRequest<T>(method, params);
  } catch (err) {
    throw fromWire(err, method);
  }
}

/** A JSON-RPC error (or a lost connection) as a DevfsError. */
export function fromWire(err: unknown, method: string): DevfsError {
  if (err instanceof ResponseError) {
    const d = err.data as Partial<ErrorData> | undefined;
    const code = typeof d?.code === 'string' ? d.code : 'EPROTO';
    const message = err.message.startsWith(`${code}: `) ? err.message : `${code}: ${err.message}`;
    return new DevfsError(code, message, d?.syscall, d?.path);
  }
  return devfsError('ECONNRESET', method, undefined, `the daemon closed the connection (${(err as Error)?.message ?? String(err)})`);
}
