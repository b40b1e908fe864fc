/**
 * The one default socket path both sides agree on. It is in /tmp so that a daemon started
 * without root can create it; set DEVFS_SOCKET (or --socket) to e.g. /run/devfs.sock for a
 * system daemon, where other users cannot plant a socket first.
 */
export const DEFAULT_SOCKET = '/tmp/devfs.sock';

/** The socket to use: --socket, else $DEVFS_SOCKET, else DEFAULT_SOCKET. */
export function socketPath(option?: string): string {
  return option || process.env.DEVFS_SOCKET || DEFAULT_SOCKET;
}
