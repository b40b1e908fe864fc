'use strict';
/**
 * The pty driver's spawn() against node-pty, in the same process, interleaved:
 *  - throughput: `head -c S /dev/zero` through the pty (S = 200 MB, 20 MB in --quick), spawn to
 *    exit with every byte counted. A third side, a plain C poll/read loop (c/ptyread.c), runs in
 *    the same rotation: it is what the kernel's pty path gives any reader on this machine (it
 *    runs at node-pty's speed here), so the target (issue 17, re-based from issue 5's ≥ 1.2×
 *    node-pty) is "ours ÷ C ≥ 0.95" with every byte delivered;
 *  - the same throughput while the event loop also does other work (2 ms every 4 ms): issue 17's
 *    target ≥ 1.5× node-pty, every byte delivered;
 *  - keystroke echo: one byte written, the same byte read back from `cat` in raw mode.
 */
const { execFile } = require('child_process');
const { tryRequire } = require('../lib/optional');
const { buildC } = require('../lib/cprog');
const { transfer, echoSession, LATE_DATA_MS } = require('../lib/pty-runs');

/** One run of the C reader: resolves with the bytes it read. */
function cTransfer(bin, bytes) {
  return new Promise((resolve, reject) => {
    execFile(bin, [String(bytes)], { env: { PATH: process.env.PATH } }, (err, stdout) => {
      const m = /^DONE (\d+) (\d+)/.exec(stdout);
      if (err || !m) return reject(new Error(`ptyread failed: ${err ? err.message : stdout}`));
      resolve(Number(m[1]));
    });
  });
}

async function run(ctx) {
  const S = ctx.quick ? 20e6 : 200e6;
  const rows = {
    tput: { id: 'throughput', label: `pty throughput, ${S / 1e6} MB` },
    // the highest ratio any reader reached here, and how close ours comes to it
    ceiling: { id: 'ceiling', label: `C poll/read loop vs node-pty, ${S / 1e6} MB` },
    nearCeiling: { id: 'vs-c', label: `ours vs C poll/read loop, ${S / 1e6} MB`, target: { op: '>=', value: 0.95, text: '≥ 0.95× the C poll/read loop (idle loop), every byte delivered', issue: 17 } },
    busy: { id: 'throughput-busy', label: `pty throughput, ${S / 1e6} MB, busy loop`, target: { op: '>=', value: 1.5, text: '≥ 1.5× node-pty with a busy event loop, every byte delivered', issue: 17 } },
    echo: { id: 'echo', label: 'pty keystroke echo round trips' },
  };
  // "busy loop": the event loop also runs 2 ms of other work every 4 ms while the bytes flow
  const BUSY = { workMs: 2, everyMs: 4 };
  const ours = tryRequire('@devfs/drivers-pty', 'drivers-pty');
  const theirs = tryRequire('node-pty');
  const why = !ours.mod ? ours.reason : typeof ours.mod.spawn !== 'function' ? '@devfs/drivers-pty exports no spawn()' : !theirs.mod ? `node-pty is not available here: ${theirs.reason}` : null;
  if (why) {
    for (const r of Object.values(rows)) ctx.skip(r, why);
    return;
  }
  const a = ours.mod.spawn, b = theirs.mod.spawn;
  // both must work before anything is timed
  const probeA = await transfer(a, 1e5), probeB = await transfer(b, 1e5, { lateDataMs: LATE_DATA_MS });
  if (probeA !== 1e5) throw new Error(`our pty delivered ${probeA} of 100000 bytes`);
  if (probeB < 1) throw new Error('node-pty delivered nothing');
  const c = buildC('ptyread');
  try {
    let oursShort = 0, theirsShort = 0, runs = 0;
    const sides = [
      { name: 'ours', ops: S / 1e6, prep() {}, op: async () => { runs++; if ((await transfer(a, S)) !== S) oursShort++; } },
      { name: 'node-pty', ops: S / 1e6, prep() {}, op: async () => { if ((await transfer(b, S, { lateDataMs: 0 })) !== S) theirsShort++; } },
    ];
    if (c.bin) {
      sides.push({ name: 'C poll/read', ops: S / 1e6, prep() {}, op: async () => {
        const got = await cTransfer(c.bin, S);
        if (got !== S) throw new Error(`the C reader got ${got} of ${S} bytes`);
      } });
    }
    const delivered = () => `every byte delivered: ours ${oursShort === 0 ? 'yes' : `no (${oursShort} of ${runs} runs short)`}`;
    const pairs = [{
      meta: {
        ...rows.tput, params: { n: S }, opsUnit: 'MB/s',
        finalize: (fig) => { fig.note = `${delivered()}; node-pty came up short in ${theirsShort} runs (its exit can come before its last data)`; },
      },
      ours: 0, base: 1,
    }];
    if (c.bin) {
      pairs.push({ meta: { ...rows.ceiling, params: { n: S }, opsUnit: 'MB/s' }, ours: 2, base: 1 });
      pairs.push({
        meta: {
          ...rows.nearCeiling, params: { n: S }, opsUnit: 'MB/s',
          finalize: (fig) => {
            fig.note = delivered();
            fig.holds = oursShort === 0; // "every byte delivered" is part of the target
          },
        },
        ours: 0, base: 2,
      });
    }
    await ctx.timeSides(rows.tput.label, sides, pairs, { minSamples: 3, maxSamples: ctx.quick ? 3 : 8, fixedReps: 1, warmup: true });
    if (!c.bin) { ctx.skip(rows.ceiling, c.skip); ctx.skip(rows.nearCeiling, c.skip); }
  } finally {
    c.cleanup?.();
  }

  let busyShort = 0, busyRuns = 0;
  await ctx.compareTimed(
    {
      ...rows.busy, params: { n: S }, opsUnit: 'MB/s',
      finalize: (fig) => {
        fig.note = `the event loop also runs ${BUSY.workMs} ms of other work every ${BUSY.everyMs} ms: ours reads on a thread of its own (PtyReader) while the loop is busy, node-pty reads only when the loop is free and hands each 4 KiB read to JS; every byte delivered: ours ${busyShort === 0 ? 'yes' : `no (${busyShort} of ${busyRuns} runs short)`}`;
        fig.holds = busyShort === 0;
      },
    },
    { name: 'ours', ops: S / 1e6, prep() {}, op: async () => { busyRuns++; if ((await transfer(a, S, { busy: BUSY })) !== S) busyShort++; } },
    { name: 'node-pty', ops: S / 1e6, prep() {}, op: () => transfer(b, S, { busy: BUSY }) },
    { minSamples: 3, maxSamples: ctx.quick ? 3 : 5, fixedReps: 1, warmup: false },
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

module.exports = { run, rows: () => 5 };
