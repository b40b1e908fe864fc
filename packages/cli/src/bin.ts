#!/usr/bin/env node
/** The `devfs` executable. */
import { main } from './main';

main(process.argv).then((status) => {
  process.exitCode = status;
  // Let stdout drain, then leave even if a stray handle (stdin in raw mode) is still open.
  process.stdout.write('', () => process.exit(status));
});
