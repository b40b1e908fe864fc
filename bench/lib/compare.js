'use strict';
/**
 * Same-process, interleaved comparisons. Every figure is a ratio of "ours" against a baseline
 * measured in the same process in alternating rounds (A, B, A, B, ...), because the machine is
 * shared and noisy: a burst of load hits both sides instead of one.
 *
 * `compare` times whole batches with benchmark.js (deferred benchmarks, one call = `reps` bodies
 * of `ops` operations each, so the result is ops × calls). `compareTimed` is for rows whose
 * operation needs untimed preparation before each run (populate after K changes): benchmark.js
 * cannot leave part of a cycle out of its clock, so those rows are clocked with hrtime and
 * summarised with the same statistics (lib/stats.js).
 */
const Benchmark = require('benchmark');
const { summarize } = require('./stats');

const now = () => Number(process.hrtime.bigint()) / 1e9;

/** Runs `body` until it has taken about `targetSec`; returns how many bodies one call should do. */
async function calibrate(body, targetSec) {
  let reps = 1;
  for (;;) {
    const t0 = now();
    for (let i = 0; i < reps; i++) {
      const r = body();
      if (r && typeof r.then === 'function') await r;
    }
    const dt = now() - t0;
    if (dt >= targetSec / 4 || reps >= 1 << 20) {
      // a second, equal run: keep the faster (a GC pause or a neighbour's burst only slows)
      const t1 = now();
      for (let i = 0; i < reps; i++) {
        const r = body();
        if (r && typeof r.then === 'function') await r;
      }
      const best = Math.min(dt, now() - t1);
      return Math.max(1, Math.round((reps * targetSec) / Math.max(best, 1e-9)));
    }
    reps *= 4;
  }
}

/**
 * The deferred test function: `reps` bodies, then resolve. The resolve goes through a microtask
 * so benchmark.js's next cycle never nests on the stack (it calls the next cycle from inside
 * resolve()); an error ends the benchmark with that error instead of a retry.
 */
function deferredFn(body, reps) {
  return function (deferred) {
    const fail = (err) => { deferred.benchmark.error = err; queueMicrotask(() => deferred.resolve()); };
    let first;
    try {
      first = body();
    } catch (err) {
      return fail(err);
    }
    if (first && typeof first.then === 'function') {
      let p = first;
      for (let i = 1; i < reps; i++) p = p.then(body);
      p.then(() => deferred.resolve(), fail);
      return;
    }
    try {
      for (let i = 1; i < reps; i++) body();
    } catch (err) {
      return fail(err);
    }
    queueMicrotask(() => deferred.resolve());
  };
}

/** One benchmark.js run of a side; resolves with the per-operation times (seconds) of its samples. */
function runBenchmark(side, state, opts) {
  return new Promise((resolve, reject) => {
    const bench = new Benchmark(side.name, deferredFn(side.body, state.reps), {
      defer: true,
      async: true,
      delay: 0.001,
      maxTime: opts.maxTime,
      minSamples: opts.minSamples,
      initCount: state.count || 1,
    });
    bench.on('complete', () => {
      if (bench.error) return reject(bench.error);
      state.count = bench.count;
      const perCall = state.reps * side.ops;
      resolve(bench.stats.sample.map((period) => period / perCall));
    });
    bench.run();
  });
}

function sideResult(side, times, extra = {}) {
  const s = summarize(times);
  return {
    name: side.name,
    opsPerSec: 1 / s.mean,
    rme: s.rme,
    samples: s.n,
    ...extra,
  };
}

function ratioOf(ours, base, higherIsBetter = true) {
  const ratio = higherIsBetter ? ours.opsPerSec / base.opsPerSec : base.opsPerSec / ours.opsPerSec;
  return { ratio, ratioRme: Math.sqrt(ours.rme ** 2 + base.rme ** 2) };
}

/**
 * Interleaved benchmark.js comparison.
 * @param {{name:string, ops:number, body:()=>any}} ours
 * @param {{name:string, ops:number, body:()=>any}} base
 * @param {{rounds:number, maxTime:number, minSamples:number, callTime:number, onRound?:Function}} opts
 */
async function compare(ours, base, opts) {
  const sides = [ours, base];
  const states = [];
  for (const s of sides) states.push({ reps: await calibrate(s.body, opts.callTime), count: 0 });
  const times = [[], []];
  for (let r = 0; r < opts.rounds; r++) {
    const order = r % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) times[i].push(...(await runBenchmark(sides[i], states[i], opts)));
    if (opts.onRound) opts.onRound(r + 1, opts.rounds);
  }
  const o = sideResult(ours, times[0], { batch: states[0].reps * ours.ops });
  const b = sideResult(base, times[1], { batch: states[1].reps * base.ops });
  return { ours: o, base: b, ...ratioOf(o, b) };
}

/**
 * Interleaved timing of any number of sides with untimed preparation: each sample runs `reps`
 * times (prep() untimed, op() timed); the order of the sides rotates sample by sample. Resolves
 * with one sideResult per side, in the order given.
 * @param {{name:string, ops:number, prep:()=>any, op:()=>any}[]} sides
 * @param {{minSamples:number, maxSamples:number, budget:number, sampleTime:number, fixedReps?:number|(number|null)[], warmup?:boolean}} opts
 *   (`fixedReps`: runs per sample, for every side or per side; else calibrated)
 */
async function timeSides(sides, opts) {
  const once = async (s) => {
    await s.prep();
    const t0 = now();
    const r = s.op();
    if (r && typeof r.then === 'function') await r;
    return now() - t0;
  };
  // calibrate: how many prep/op runs make one sample of about sampleTime of timed work
  if (opts.warmup) for (const s of sides) await once(s); // JIT and caches, untimed
  const reps = [];
  for (const [i, s] of sides.entries()) {
    const fixed = Array.isArray(opts.fixedReps) ? opts.fixedReps[i] : opts.fixedReps;
    if (fixed) { reps.push(fixed); continue; }
    const dt = await once(s);
    reps.push(Math.max(1, Math.min(10000, Math.round(opts.sampleTime / Math.max(dt, 1e-7)))));
  }
  const times = sides.map(() => []);
  const start = now();
  for (let n = 0; n < opts.maxSamples; n++) {
    for (let k = 0; k < sides.length; k++) {
      const i = (n + k) % sides.length;
      let t = 0;
      for (let j = 0; j < reps[i]; j++) t += await once(sides[i]);
      times[i].push(t / (reps[i] * sides[i].ops));
    }
    if (n + 1 >= opts.minSamples && now() - start > opts.budget) break;
  }
  return sides.map((s, i) => sideResult(s, times[i], { batch: reps[i] * s.ops }));
}

/**
 * Interleaved comparison of two sides with untimed preparation (see timeSides).
 * @param {{name:string, ops:number, prep:()=>any, op:()=>any}} ours
 * @param {{name:string, ops:number, prep:()=>any, op:()=>any}} base
 */
async function compareTimed(ours, base, opts) {
  const [o, b] = await timeSides([ours, base], opts);
  return { ours: o, base: b, ...ratioOf(o, b) };
}

module.exports = { compare, compareTimed, timeSides, calibrate, ratioOf };
