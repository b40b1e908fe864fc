/** Native tap calls (implemented in src/tap.cc). */
export interface TapBinding {}
