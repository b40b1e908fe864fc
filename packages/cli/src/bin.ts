#!/usr/bin/env node
/** The `devfs` executable. */
import { main } from './main';

main(process.argv).then((status) => {
  process.exitCode = status;
  // Let stdout drain, then leave even if a stray handle (stdin in raw mode) is still open; a
  // stdout whose reader is gone (EPIPE) has nothing to drain.
  const out = process.stdout;
  if (out.destroyed || !out.writable) process.exit(status);
  out.on('error', () => process.exit(status));
  out.write('', () => process.exit(status));
});
