'use strict';
/**
 * The pty driver's spawn() against node-pty, in the same process, interleaved:
 *  - throughput: `head -c S /dev/zero` through the pty (S = 200 MB, 20 MB in --quick), spawn to
 *    exit with every byte counted (issue 5: ≥ 1.2× node-pty and every byte delivered);
 *  - keystroke echo: one byte written, the same byte read back from `cat` in raw mode.
 */
const { tryRequire } = require('../lib/optional');
const { transfer, echoSession, LATE_DATA_MS } = require('../lib/pty-runs');

async function run(ctx) {
  const S = ctx.quick ? 20e6 : 200e6;
  const rows = {
    tput: { id: 'throughput', label: `pty throughput, ${S / 1e6} MB`, target: { op: '>=', value: 1.2, text: '≥ 1.2× node-pty, every byte delivered', issue: 5 } },
    echo: { id: 'echo', label: 'pty keystroke echo round trips' },
  };
  const ours = tryRequire('@devfs/drivers-pty', 'drivers-pty');
  const theirs = tryRequire('node-pty');
  const why = !ours.mod ? ours.reason : typeof ours.mod.spawn !== 'function' ? '@devfs/drivers-pty exports no spawn()' : !theirs.mod ? `node-pty is not available here: ${theirs.reason}` : null;
  if (why) {
    ctx.skip(rows.tput, why);
    ctx.skip(rows.echo, why);
    return;
  }
  const a = ours.mod.spawn, b = theirs.mod.spawn;
  // both must work before anything is timed
  const probeA = await transfer(a, 1e5), probeB = await transfer(b, 1e5, { lateDataMs: LATE_DATA_MS });
  if (probeA !== 1e5) throw new Error(`our pty delivered ${probeA} of 100000 bytes`);
  if (probeB < 1) throw new Error('node-pty delivered nothing');

  let oursShort = 0, theirsShort = 0, runs = 0;
  await ctx.compareTimed(
    {
      ...rows.tput, params: { n: S }, opsUnit: 'MB/s',
      finalize: (fig) => {
        fig.note = `every byte delivered: ours ${oursShort === 0 ? 'yes' : `no (${oursShort} of ${runs} runs short)`}; node-pty came up short in ${theirsShort} runs (its exit can come before its last data)`;
        fig.holds = oursShort === 0; // "every byte delivered" is part of the target
      },
    },
    { name: 'ours', ops: S / 1e6, prep() {}, op: async () => { runs++; if ((await transfer(a, S)) !== S) oursShort++; } },
    { name: 'node-pty', ops: S / 1e6, prep() {}, op: async () => { if ((await transfer(b, S, { lateDataMs: 0 })) !== S) theirsShort++; } },
    { minSamples: 3, maxSamples: ctx.quick ? 3 : 5, fixedReps: 1, warmup: true },
  );

  const sa = await echoSession(a), sb = await echoSession(b);
  try {
    await ctx.compare(
      { ...rows.echo, params: { n: 1 }, opsUnit: 'echoes/s' },
      { name: 'ours', ops: 1, body: () => sa.roundTrip() },
      { name: 'node-pty', ops: 1, body: () => sb.roundTrip() },
    );
  } finally {
    await sa.close();
    await sb.close();
  }
}

module.exports = { run, rows: () => 2 };
