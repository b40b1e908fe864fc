'use strict';
/** Number and ratio formatting shared by the console lines and the README tables. */

/** 1234567 → "1,234,567"; 12.345 → "12.35"; 0.01234 → "0.0123". */
const fmtNum = (x) => (!Number.isFinite(x) ? String(x) : x >= 100 ? Math.round(x).toLocaleString('en-US') : x >= 1 ? x.toFixed(2) : x.toPrecision(3));

/** Formats a ratio like "12.3×" or "0.84×". */
function fmtRatio(r) {
  if (!Number.isFinite(r)) return String(r);
  return r >= 100 ? `${Math.round(r).toLocaleString('en-US')}×` : r >= 10 ? `${r.toFixed(1)}×` : r >= 0.1 ? `${r.toFixed(2)}×` : `${r.toPrecision(2)}×`;
}

/** One side of a figure: "123,456 ops/s ±1.2%" or "180 bytes/device"; `unit` names the ops. */
function fmtSide(s, unit = 'ops/s') {
  return s.value !== undefined ? `${fmtNum(s.value)} ${s.unit || ''}`.trim() : `${fmtNum(s.opsPerSec)} ${unit} ±${s.rme.toFixed(1)}%`;
}

/** Name of a figure's first side: "ours", unless a row compares two baselines (e.g. C vs node-pty). */
const firstSideName = (f) => (f.ours.name && !f.ours.name.startsWith('ours') ? f.ours.name : 'ours');

/** One result line. */
function describe(f) {
  const tgt = f.target ? `  target ${f.target.text}: ${f.met ? 'met' : 'NOT met'}` : '';
  return `  ${f.label.padEnd(44)} ${firstSideName(f)} ${fmtSide(f.ours, f.opsUnit)} | ${f.base.name} ${fmtSide(f.base, f.opsUnit)} | ratio ${fmtRatio(f.ratio)}${tgt}`;
}


module.exports = { describe, fmtRatio, fmtNum, fmtSide, firstSideName };
