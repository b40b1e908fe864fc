'use strict';
/**
 * What a suite sees: the run profile (quick or full), comparison helpers that record each
 * figure, `skip` for rows whose peer cannot run here (printed, never faked), and progress.
 */
const { compare, compareTimed, timeSides, ratioOf } = require('./compare');
const { describe, fmtRatio, fmtNum } = require('./describe');

const PROFILES = {
  quick: { rounds: 2, maxTime: 0.08, minSamples: 3, callTime: 0.002, timed: { minSamples: 3, maxSamples: 6, budget: 0.6, sampleTime: 0.01 } },
  full: { rounds: 4, maxTime: 0.3, minSamples: 5, callTime: 0.004, timed: { minSamples: 5, maxSamples: 16, budget: 3, sampleTime: 0.04 } },
};


/** True/false when the figure has a target, else null. */
function targetMet(fig) {
  const t = fig.target;
  if (!t) return null;
  const v = t.on === 'ours' ? fig.ours.value : fig.ratio;
  if (!Number.isFinite(v)) return false;
  switch (t.op) {
    case '>=': return v >= t.value;
    case '>': return v > t.value;
    case '<=': return v <= t.value;
    case '<': return v < t.value;
    default: throw new Error(`bad target op ${t.op}`);
  }
}

/** Lets a row add what it learned during the run (`meta.finalize(fig)`: notes, `holds`). */
function finalize(meta, fig) {
  delete fig.finalize;
  if (typeof meta.finalize === 'function') meta.finalize(fig);
  return fig;
}

class Context {
  constructor({ quick, progress, only }) {
    this.quick = quick;
    this.profile = PROFILES[quick ? 'quick' : 'full'];
    this.progress = progress;
    this.only = only;
    this.figures = [];
    this.skipped = [];
    this.suite = '';
  }

  /** Interleaved benchmark.js comparison; records and returns the figure. */
  async compare(meta, ours, base) {
    this.progress.start(meta.label);
    const r = await compare(ours, base, this.profile);
    return this.record(finalize(meta, { ...meta, unit: 'ops/s', ...r }));
  }

  /** Interleaved comparison with untimed preparation; records and returns the figure. */
  async compareTimed(meta, ours, base, overrides = {}) {
    this.progress.start(meta.label);
    const r = await compareTimed(ours, base, { ...this.profile.timed, ...overrides });
    return this.record(finalize(meta, { ...meta, unit: 'ops/s', ...r }));
  }

  /**
   * Interleaved timing of several sides at once (compareTimed for more than two); records one
   * figure per `{ meta, ours, base }` pair, `ours`/`base` being indices into `sides`.
   */
  async timeSides(label, sides, pairs, overrides = {}) {
    this.progress.start(label);
    const r = await timeSides(sides, { ...this.profile.timed, ...overrides });
    return pairs.map(({ meta, ours, base }) =>
      this.record(finalize(meta, { ...meta, unit: 'ops/s', ours: r[ours], base: r[base], ...ratioOf(r[ours], r[base]) })));
  }

  /** Records a finished figure (ratio computed by the caller for value figures). */
  record(fig) {
    fig.suite = this.suite;
    fig.met = targetMet(fig);
    if (fig.met === true && fig.holds === false) fig.met = false;
    this.figures.push(fig);
    this.progress.tick();
    this.progress.log(describe(fig));
    return fig;
  }

  /** A row that cannot run here: printed with its reason, recorded as skipped. */
  skip(meta, reason) {
    this.skipped.push({ suite: this.suite, id: meta.id, label: meta.label, reason, target: meta.target || null });
    this.progress.tick();
    this.progress.log(`  SKIP ${meta.label}: ${reason}`);
  }
}

module.exports = { Context, PROFILES, fmtRatio, fmtNum, targetMet };
