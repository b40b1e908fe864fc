#!/usr/bin/env node
/**
 * Dependency direction check (DESIGN.md §2): `native ← core ← drivers-*, fuse ← cli`.
 * Scans every package's src/ (and native/lib) for imports of workspace packages — `from '@devfs/x'`,
 * `require('@devfs/x')`, `import('@devfs/x')` — and for relative imports that leave the package,
 * and fails when an arrow points the wrong way: core importing a driver or the CLI, a driver
 * importing another driver, anything importing the CLI; and inside a package, a folder importing a
 * sibling it must not know (core's kernel/ importing mount/). Prints each violation as FILE:LINE.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');

/** What each package may import from the workspace (by package directory name). */
const ALLOWED = {
  native: [],
  core: ['native'],
  'drivers-pty': ['native', 'core'],
  'drivers-tap': ['native', 'core'],
  'drivers-disk': ['native', 'core'],
  fuse: ['native', 'core'],
  cli: ['native', 'core', 'drivers-pty', 'drivers-tap', 'drivers-disk', 'fuse'],
};

/** Source roots of each package. */
function sourceRoots() {
  const roots = [['native', path.join(root, 'native', 'lib')]];
  for (const name of fs.readdirSync(path.join(root, 'packages'))) {
    const src = path.join(root, 'packages', name, 'src');
    if (fs.existsSync(src)) roots.push([name, src]);
  }
  return roots;
}

function* files(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (/\.(ts|js|mjs|cjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) yield p;
  }
}

const IMPORT = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*)['"]([^'"]+)['"]/g;

function packageOfPath(abs) {
  const rel = path.relative(root, abs).split(path.sep);
  if (rel[0] === 'native') return 'native';
  if (rel[0] === 'packages') return rel[1];
  return rel[0];
}

const violations = [];
for (const [pkg, dir] of sourceRoots()) {
  const allowed = ALLOWED[pkg];
  if (!allowed) {
    violations.push(`${path.relative(root, dir)}: package '${pkg}' is not in .ci/check-deps.js's table`);
    continue;
  }
  for (const file of files(dir)) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const m of line.matchAll(IMPORT)) {
        const spec = m[1];
        let target;
        if (spec.startsWith('@devfs/')) target = spec.slice('@devfs/'.length).split('/')[0];
        else if (spec.startsWith('.')) {
          const t = packageOfPath(path.resolve(path.dirname(file), spec));
          if (t !== pkg) target = t;
        }
        if (target && target !== pkg && !allowed.includes(target)) {
          violations.push(`${path.relative(root, file)}:${i + 1}: ${pkg} imports ${target} ('${spec}'); allowed: ${allowed.join(', ') || 'nothing'}`);
        }
      }
    });
  }
}

/**
 * Folders inside a package that must not import certain sibling folders (DESIGN.md §2: inside
 * core, the registry knows nothing of mounts — like FreeBSD's kern_conf.c, it records changes
 * and the filesystem side catches up).
 */
const INTRA = [
  { pkg: 'core', from: 'kernel', forbidden: ['mount'], why: "core's registry (kernel/) knows nothing of mounts" },
];

for (const rule of INTRA) {
  const srcDir = path.join(root, 'packages', rule.pkg, 'src');
  const dir = path.join(srcDir, rule.from);
  if (!fs.existsSync(dir)) continue;
  for (const file of files(dir)) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const m of line.matchAll(IMPORT)) {
        if (!m[1].startsWith('.')) continue;
        const top = path.relative(srcDir, path.resolve(path.dirname(file), m[1])).split(path.sep)[0];
        if (rule.forbidden.includes(top)) {
          violations.push(`${path.relative(root, file)}:${i + 1}: ${rule.pkg}/${rule.from} imports ${rule.pkg}/${top} ('${m[1]}'): ${rule.why}`);
        }
      }
    });
  }
}

if (violations.length) {
  console.error(`dependency direction violated (native ← core ← drivers-*, fuse ← cli):\n${violations.join('\n')}`);
  process.exit(1);
}
console.log('dependency direction: ok');
