/** Wire limits of the control socket (a client exceeding one is told why and disconnected). */

/** Largest JSON-RPC message body either side accepts, in bytes. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Largest header block of one message (its lines up to the blank line), in bytes. */
export const MAX_HEADER_BYTES = 1024;
/** Largest read or write one request may move (base64 inside a message: 3/4 of MAX_MESSAGE_BYTES, minus room). */
export const MAX_IO_BYTES = 512 * 1024;
/** Files one client may hold open at once. */
export const MAX_OPEN_FILES = 64;
/** pty sessions one client may run at once. */
export const MAX_PTY_SESSIONS = 16;
/** How long a spawned pty waits for its data connection before it is killed, in ms. */
export const PTY_ATTACH_TIMEOUT_MS = 10_000;
/** First line of a pty data connection: `DEVFS-PTY <token>\n`. */
export const PTY_DATA_MAGIC = 'DEVFS-PTY ';
