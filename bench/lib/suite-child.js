'use strict';
/**
 * Runs one suite in its own process (a clean heap per suite, `--expose-gc`, a larger heap for the
 * million-device rows) and reports to the parent over IPC: row starts, figures, skips, log lines.
 * Usage (by run.js): node --expose-gc lib/suite-child.js <suite> [--quick]
 */
const path = require('path');
const { Context } = require('./context');

const [id, ...flags] = process.argv.slice(2);
const quick = flags.includes('--quick');
const send = (m, cb) => {
  if (process.send && process.connected) process.send(m, cb);
  else {
    process.stderr.write(JSON.stringify(m) + '\n');
    if (cb) cb();
  }
};

const progress = {
  start: (label) => send({ type: 'start', label }),
  tick: () => {},
  log: () => {},
};

let finished = false;
process.on('beforeExit', () => {
  if (finished) return;
  finished = true;
  process.exitCode = 1;
  send({ type: 'error', message: `suite '${id}': the event loop drained before the suite finished (an operation never completed)` }, () => process.exit(1));
});

(async () => {
  const suite = require(path.join(__dirname, '..', 'suites', `${id}.js`));
  const ctx = new Context({ quick, progress });
  ctx.suite = id;
  const record = ctx.record.bind(ctx);
  ctx.record = (fig) => { const f = record(fig); send({ type: 'figure', fig: f }); return f; };
  const skip = ctx.skip.bind(ctx);
  ctx.skip = (meta, reason) => { skip(meta, reason); send({ type: 'skip', skip: ctx.skipped[ctx.skipped.length - 1] }); };
  ctx.log = (line) => send({ type: 'log', line });
  await suite.run(ctx);
  // leave once the parent has the message, even if a driver left a handle open
  finished = true;
  send({ type: 'done' }, () => process.exit(0));
})().catch((err) => {
  finished = true;
  process.exitCode = 1;
  send({ type: 'error', message: (err && err.stack) || String(err) }, () => process.exit(1));
});
