'use strict';
/**
 * Hand-made SVG charts (no plotting library: the charts are two kinds of plain line/bar plots,
 * and the well-kept JS plotting libraries need a DOM or a headless browser to render SVG).
 * `lineChart` draws log-log (or log-x) series; `barChart` draws ratios with a target line.
 */

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function fmtTick(v) {
  if (v >= 1e9) return `${+(v / 1e9).toPrecision(3)}G`;
  if (v >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (v >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  if (v >= 1) return `${+v.toPrecision(3)}`;
  return v.toPrecision(2);
}

function logTicks(lo, hi) {
  const out = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
  return out;
}

/**
 * @param {{title:string, xLabel:string, yLabel:string, series:{name:string, points:[number,number][], dashed?:boolean}[]}} spec
 */
function lineChart(spec) {
  // the legend column is as wide as its longest label (~7 px per character at 12 px sans-serif)
  const longest = Math.max(0, ...spec.series.map((s) => String(s.name).length));
  const R = Math.max(170, 54 + Math.ceil(longest * 7)), L = 70, T = 40, B = 50, H = 400, W = 470 + L + R;
  const pts = spec.series.flatMap((s) => s.points).filter(([x, y]) => x > 0 && y > 0);
  if (pts.length === 0) return null;
  let [x0, x1] = [Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0]))];
  let [y0, y1] = [Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[1]))];
  x0 = 10 ** Math.floor(Math.log10(x0)); x1 = 10 ** Math.ceil(Math.log10(x1));
  y0 = 10 ** Math.floor(Math.log10(y0)); y1 = 10 ** Math.ceil(Math.log10(y1));
  if (x1 === x0) x1 = x0 * 10;
  if (y1 === y0) y1 = y0 * 10;
  const px = (x) => L + ((Math.log10(x) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0))) * (W - L - R);
  const py = (y) => H - B - ((Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * (H - T - B);
  const o = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  o.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  o.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(spec.title)}</text>`);
  for (const t of logTicks(x0, x1)) {
    o.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${T}" y2="${H - B}" stroke="#ddd"/>`);
    o.push(`<text x="${px(t)}" y="${H - B + 16}" text-anchor="middle">${fmtTick(t)}</text>`);
  }
  for (const t of logTicks(y0, y1)) {
    o.push(`<line x1="${L}" x2="${W - R}" y1="${py(t)}" y2="${py(t)}" stroke="#ddd"/>`);
    o.push(`<text x="${L - 6}" y="${py(t) + 4}" text-anchor="end">${fmtTick(t)}</text>`);
  }
  o.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#333"/>`);
  o.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">${esc(spec.xLabel)} (log)</text>`);
  o.push(`<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)} (log)</text>`);
  spec.series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const p = s.points.filter(([x, y]) => x > 0 && y > 0).sort((a, b) => a[0] - b[0]);
    if (p.length === 0) return;
    const d = p.map(([x, y], j) => `${j ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    o.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    for (const [x, y] of p) o.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3.5" fill="${c}"/>`);
    const ly = T + 14 + i * 20;
    o.push(`<line x1="${W - R + 12}" x2="${W - R + 36}" y1="${ly - 4}" y2="${ly - 4}" stroke="${c}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    o.push(`<text x="${W - R + 42}" y="${ly}">${esc(s.name)}</text>`);
  });
  o.push('</svg>');
  return o.join('\n') + '\n';
}

/**
 * Horizontal bars of ratios (log scale around 1×) with an optional target mark per bar.
 * @param {{title:string, bars:{label:string, ratio:number, target?:number, met?:boolean|null}[]}} spec
 */
function barChart(spec) {
  const bars = spec.bars.filter((b) => Number.isFinite(b.ratio) && b.ratio > 0);
  if (bars.length === 0) return null;
  const W = 640, L = 250, R = 60, T = 40, rowH = 26;
  const H = T + bars.length * rowH + 40;
  const vals = bars.flatMap((b) => [b.ratio, b.target || 1, 1]);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...vals)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...vals)));
  const span = Math.log10(hi) - Math.log10(lo) || 1;
  const px = (v) => L + ((Math.log10(v) - Math.log10(lo)) / span) * (W - L - R);
  const o = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  o.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  o.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(spec.title)}</text>`);
  for (const t of logTicks(lo, hi)) {
    o.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${T}" y2="${H - 36}" stroke="${t === 1 ? '#333' : '#ddd'}"/>`);
    o.push(`<text x="${px(t)}" y="${H - 22}" text-anchor="middle">${fmtTick(t)}×</text>`);
  }
  bars.forEach((b, i) => {
    const y = T + i * rowH + 4;
    const c = b.met === false ? '#d62728' : b.met === true ? '#2ca02c' : '#1f77b4';
    const x0 = px(Math.min(1, b.ratio)), x1 = px(Math.max(1, b.ratio));
    o.push(`<text x="${L - 8}" y="${y + 13}" text-anchor="end">${esc(b.label)}</text>`);
    o.push(`<rect x="${x0.toFixed(1)}" y="${y}" width="${Math.max(1, x1 - x0).toFixed(1)}" height="${rowH - 8}" fill="${c}"/>`);
    o.push(`<text x="${(b.ratio >= 1 ? x1 + 4 : x0 - 4).toFixed(1)}" y="${y + 13}" text-anchor="${b.ratio >= 1 ? 'start' : 'end'}">${b.ratio >= 10 ? b.ratio.toFixed(0) : b.ratio.toFixed(2)}×</text>`);
    if (b.target) o.push(`<line x1="${px(b.target).toFixed(1)}" x2="${px(b.target).toFixed(1)}" y1="${y - 2}" y2="${y + rowH - 6}" stroke="#000" stroke-width="2" stroke-dasharray="3 2"/>`);
  });
  o.push(`<text x="${L}" y="${H - 6}" font-size="11">ratio ours ÷ baseline (log; &gt; 1× = ours better); dashed mark = target; green met, red not met</text>`);
  o.push('</svg>');
  return o.join('\n') + '\n';
}

module.exports = { lineChart, barChart };
