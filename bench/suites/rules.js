'use strict';
/**
 * Rule evaluation per new device with R rules in the ruleset (kernel.rules.evaluate). Ours tests a
 * name only against rules whose literal prefix it starts with; FreeBSD's devfs_rules_apply runs
 * every rule in order. Both use the same compiled fnmatch(3) FNM_PATHNAME patterns, so this
 * measures the evaluation strategy, not the matcher.
 */
const { core, short } = require('../lib/fixtures');
const { FreeBSDModel } = require('../baselines/freebsd-model');
// the matcher core compiles rule patterns with (not re-exported by the package index)
const { compilePattern } = require('@devfs/core/dist/rules');

const BATCH = 64;
const RS = 100;
/** Issue 20's targets, ours ÷ the FreeBSD model, by rules in the ruleset. */
const TARGETS = { 1: 1, 1000: 80 };

function counts(quick) {
  return quick ? [1, 100, 1000] : [1, 10, 100, 1000];
}

async function run(ctx) {
  for (const r of counts(ctx.quick)) {
    const k = core.createKernel({ memDevices: false });
    const m = new FreeBSDModel();
    const modelRules = [];
    for (let i = 0; i < r; i++) {
      const pattern = `grp${i}/tty*`;
      k.rules.add(RS, `${i + 1} path '${pattern}' mode 0660`);
      modelRules.push({ path: compilePattern(pattern), hide: false, unhide: false, mode: 0o660, include: null, types: 0 });
    }
    m.setRuleset(RS, modelRules);
    const subjects = [];
    for (let i = 0; i < BATCH; i++) subjects.push({ path: `grp${(i * 7) % r}/tty${i}`, kind: 'dev', dflags: 0 });
    const a = { hidden: false, uid: -1, gid: -1, mode: -1 };
    // both sides must agree on every subject before anything is timed
    for (const s of subjects) {
      a.mode = -1;
      const hit = k.rules.evaluate(RS, s, a);
      const b = { hidden: false, mode: -1 };
      const hitM = m.runRules(RS, s.path, 'dev', b);
      if (!hit || !hitM || a.mode !== 0o660 || b.mode !== 0o660) throw new Error(`rules fixture disagrees on ${s.path}`);
    }
    const b = { hidden: false, mode: -1 };
    await ctx.compare(
      { id: `eval-${short(r)}`, label: `rule evaluation per device, ${short(r)} rules`, params: { n: r }, series: 'vs-model', opsUnit: 'evaluations/s',
        ...(r === 1000 ? { requested: { issue: 4, text: 'figure for 1,000 rules (no threshold)' } } : {}),
        ...(TARGETS[r] ? { target: { op: '>=', value: TARGETS[r], text: `≥ ${TARGETS[r]}× the FreeBSD model`, issue: 20 } } : {}) },
      { name: 'ours', ops: BATCH, body: () => { for (let i = 0; i < BATCH; i++) { a.mode = -1; k.rules.evaluate(RS, subjects[i], a); } } },
      { name: 'FreeBSD model', ops: BATCH, body: () => { for (let i = 0; i < BATCH; i++) { b.mode = -1; m.runRules(RS, subjects[i].path, 'dev', b); } } },
    );
  }
}

module.exports = { run, rows: (quick) => counts(quick).length };
