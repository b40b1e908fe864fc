/** Native pty calls (implemented in src/pty.cc). */
export interface PtyBinding {}
