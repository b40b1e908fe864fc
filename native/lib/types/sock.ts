/** Native sock calls (implemented in src/sock.cc). */
export interface SockBinding {}
