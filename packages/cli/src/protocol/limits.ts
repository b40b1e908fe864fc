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
/** Requests one control connection may have unanswered; its next message is not read until one is answered. */
export const MAX_INFLIGHT_REQUESTS = 4;
/** Unsent reply bytes above which a control connection's next request is not read (until 'drain'). */
export const REPLY_HIGH_WATER = 1024 * 1024;
/** Unsent bytes at which a client that does not read (e.g. `events --follow` never reading) is disconnected. */
export const MAX_UNSENT_BYTES = 8 * 1024 * 1024;
/** Input bytes queued for a pty's program above which its data connection is no longer read (until the queue drains). */
export const PTY_INPUT_HIGH_WATER = 1024 * 1024;
/** End of input on a terminal (VEOF, ^D): what the daemon types when a pty client half-closes its data connection. */
export const PTY_EOF = 0x04;
