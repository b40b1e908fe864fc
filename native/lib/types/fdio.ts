/** Native fdio calls (implemented in src/fdio.cc). */
export interface FdioBinding {}
