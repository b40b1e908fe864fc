#!/usr/bin/env node
/**
 * Cost of evaluating a ruleset for one new device, with 1, 10, 100 and 1,000 rules.
 *
 *   pnpm run build:ts && node packages/core/scripts/rules-eval.js
 *
 * Scenarios (each ruleset starts with `add hide`, as jail rulesets do):
 *   prefixed   — rules `path dev<i>* unhide mode 660`: each has a literal prefix, so the index
 *                hands a new device only the few rules its name can match;
 *   wildcard   — rules `path *x<i> unhide`: no literal prefix, every rule must be tried
 *                (the index cannot help; this is the linear-scan cost);
 *   jail       — the shipped devfsrules_jail (4) with its includes, for reference.
 * Prints ns per evaluate() (median of 7 timed rounds) for a mix of matching and non-matching names.
 */
'use strict';
const path = require('path');
const { Rules, loadStandardRules } = require(path.join(__dirname, '..', 'dist', 'rules'));
const { D_TTY, D_DISK } = require(path.join(__dirname, '..', 'dist', 'constants'));

const ROUNDS = 7;
const TARGET_MS = 20; // per round

function subjects(n, make) {
  const out = [];
  for (let i = 0; i < 4096; i++) out.push(make(i, n));
  return out;
}

function measure(rules, rs, subs) {
  const attrs = { hidden: false, uid: -1, gid: -1, mode: -1 };
  const once = (count) => {
    let matched = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < count; i++) {
      attrs.hidden = false; attrs.uid = -1; attrs.gid = -1; attrs.mode = -1;
      if (rules.evaluate(rs, subs[i & 4095], attrs)) matched++;
    }
    return [Number(process.hrtime.bigint() - t0), matched];
  };
  once(20000); // warm up (and compile the plan)
  let count = 20000;
  while (once(count)[0] < TARGET_MS * 1e6 && count < 1e8) count *= 2;
  const times = [];
  for (let r = 0; r < ROUNDS; r++) times.push(once(count)[0] / count);
  times.sort((a, b) => a - b);
  return times[ROUNDS >> 1];
}

function build(n, line) {
  const rules = new Rules();
  // Explicit numbers: 1,000 automatic ones (100, 200, ...) would pass FreeBSD's 16-bit limit.
  const specs = ['add 1 hide'];
  for (let i = 0; i < n - 1; i++) specs.push(`add ${i + 2} ${line(i)}`);
  rules.load(`[bench=10]\n${specs.join('\n')}\n`, 'bench.rules');
  return rules;
}

const scenarios = {
  prefixed: {
    rule: (i) => `path 'dev${i}*' unhide mode 660`,
    subject: (i, n) => (i % 4 === 3
      ? { path: `pts/${i}`, kind: 'dev', dflags: D_TTY }
      : { path: `dev${(i * 7919) % Math.max(n, 1)}`, kind: 'dev', dflags: D_DISK }),
  },
  wildcard: {
    rule: (i) => `path '*x${i}' unhide`,
    subject: (i, n) => (i % 4 === 3
      ? { path: `pts/${i}`, kind: 'dev', dflags: D_TTY }
      : { path: `devx${(i * 7919) % Math.max(n, 1)}`, kind: 'dev', dflags: D_DISK }),
  },
};

const sizes = [1, 10, 100, 1000];
const rows = [];
for (const [name, sc] of Object.entries(scenarios)) {
  for (const n of sizes) {
    const rules = build(n, sc.rule);
    rows.push({ scenario: name, rules: n, 'ns/device': measure(rules, 10, subjects(n, sc.subject)).toFixed(0) });
  }
}
{
  const rules = new Rules();
  loadStandardRules(rules);
  const names = ['null', 'zero', 'random', 'urandom', 'ptmx', 'pts/0', 'md0', 'tap0', 'mem', 'kmem', 'ttyp0', 'fd/0'];
  const subs = subjects(0, (i) => ({ path: names[i % names.length], kind: 'dev', dflags: 0 }));
  const steps = rules.show(4).length + rules.show(1).length + rules.show(2).length + rules.show(3).length;
  rows.push({ scenario: 'jail (4)', rules: steps, 'ns/device': measure(rules, 4, subs).toFixed(0) });
}

console.log(`node ${process.version}, ${require('os').cpus()[0].model}`);
console.table(rows);
