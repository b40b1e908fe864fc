'use strict';
/**
 * Sample statistics as benchmark.js computes them (mean, standard deviation, standard error,
 * relative margin of error at 95% with Student's t), for rows timed outside benchmark.js.
 */

/** Two-sided 95% critical values of Student's t for 1..30 degrees of freedom. */
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16,
  2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048,
  2.045, 2.042];

/** t critical value for `df` degrees of freedom (1.96 beyond 30). */
function tCritical(df) {
  if (df < 1) return NaN;
  return df <= 30 ? T95[df - 1] : 1.96;
}

/** Summary of `xs`: { n, mean, sd, sem, moe, rme (percent) }. */
function summarize(xs) {
  const n = xs.length;
  const mean = n ? xs.reduce((a, b) => a + b, 0) / n : NaN;
  const variance = n > 1 ? xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1) : 0;
  const sd = Math.sqrt(variance);
  const sem = n ? sd / Math.sqrt(n) : NaN;
  const moe = n > 1 ? sem * tCritical(n - 1) : 0;
  const rme = mean ? (moe / mean) * 100 : 0;
  return { n, mean, sd, sem, moe, rme };
}

/** Median of `xs`. */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

module.exports = { summarize, median, tCritical };
