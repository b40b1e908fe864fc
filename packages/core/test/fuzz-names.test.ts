/**
 * Fuzz test of device names (issue 14): random names — arbitrary Unicode, structured paths of
 * tricky parts ('.', '..', '//', blanks, quotes, C0/C1 controls, multi-byte characters), long
 * names around the 255-byte limit and printf formats with wild widths — go through make_dev,
 * make_dev_alias and symlink. Every failure is a coded DevfsError and leaves the namespace and
 * the mount's tree exactly as they were; every success is a name prep_devname would accept.
 * Each property is bounded by time (FC_TIME_MS, default 5 s); FC_RUNS/FC_SEED replay.
 */
import fc from 'fast-check';
import { Cdev, createKernel, Kernel, Mount } from '@devfs/core';
import { plainsw } from './helpers';
import { expectCoded, fuzzParams, thrown } from './fuzz-helpers';

const NAME_CODES = ['EINVAL', 'ENAMETOOLONG', 'EEXIST'];
const LINK_CODES = ['EINVAL', 'ENAMETOOLONG', 'EEXIST', 'ENOENT', 'ENOTDIR', 'ELOOP', 'EACCES'];

/** Parts that make names interesting. */
const PART = fc.constantFrom('a', 'b0', 'pts', '.', '..', '', ' ', '"', "'", '\t', '\n', '\x00', '\x1b', '\x7f', '\x85', '\x9b',
  '\u00a0', 'é', '😀', '\ud800', '%', '%d', '%s', '%%', '\\', '*', 'x'.repeat(100), 'é'.repeat(60));

const nameArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.array(PART, { maxLength: 8 }).chain((parts) => fc.array(fc.constantFrom('/', '//', ''), { minLength: parts.length, maxLength: parts.length })
    .map((seps) => parts.map((p, i) => seps[i] + p).join(''))),
  fc.tuple(fc.integer({ min: 240, max: 270 }), fc.constantFrom('x', 'é', '😀', 'a/')).map(([n, c]) => c.repeat(Math.ceil(n / Buffer.byteLength(c)))),
);

const formatArb = fc.tuple(
  fc.constantFrom('tty', 'd/', '', 'x%%'),
  fc.constantFrom('%d', '%s', '%x', '%X', '%o', '%u', '%c', '%i', '%05d', '%400000000d', '%0999999999x', '%1021s', '%255d', '%%'),
  fc.constantFrom<unknown>(7, -1, 1.5, NaN, Infinity, 'ab', '', 'x'.repeat(300), undefined, null, {}, Symbol('s'), 65, 0x10ffff),
).map(([pre, conv, v]) => ({ fmt: pre + conv, args: [v] }));

/** The namespace and the mount's whole tree, as text. */
function snapshot(k: Kernel, m: Mount): string {
  const tree: string[] = [];
  const walk = (p: string): void => {
    for (const e of m.readdir(p)) {
      const full = p ? `${p}/${e.name}` : e.name;
      tree.push(`${full}:${e.type}${e.type === 'symlink' ? `→${m.readlink(full)}` : ''}`);
      if (e.type === 'dir') walk(full);
    }
  };
  walk('');
  return JSON.stringify([[...k.devices()].map((d) => d.si_name), tree]);
}

/** What every accepted name must be (FreeBSD's prep_devname, counted in UTF-8 bytes). */
function expectValidName(dev: Cdev, k: Kernel, m: Mount): void {
  const n = dev.si_name;
  if (Buffer.byteLength(n) > 255 || n === '' || n.startsWith('/') || n.endsWith('/') || n.includes('//')) throw new Error(`accepted ${JSON.stringify(n)}`);
  // eslint-disable-next-line no-control-regex
  if (/[\s"\x00-\x1f\x7f-\x9f]/.test(n) || n.split('/').some((c) => c === '.' || c === '..')) throw new Error(`accepted ${JSON.stringify(n)}`);
  if (k.lookupDev(n) !== dev) throw new Error(`lookupDev(${JSON.stringify(n)}) is not the new device`);
  m.stat(n);
}

describe('fuzzed names: coded failures, nothing changed on failure', () => {
  let k: Kernel;
  let m: Mount;
  let target: Cdev;
  beforeEach(() => {
    k = createKernel({ memDevices: false });
    m = k.mount();
    target = k.make_dev(plainsw, 0, 0, 0, 0o600, 'target');
    k.make_dev(plainsw, 1, 0, 0, 0o600, 'pts/0');
  });
  afterEach(() => { m.unmount(); });

  /** Runs `op`; on failure checks the error and that nothing changed; returns the device made, if any. */
  function attempt(op: () => Cdev | void, codes: readonly string[]): Cdev | void {
    const before = snapshot(k, m);
    let made: Cdev | void = undefined;
    const err = thrown(() => { made = op(); });
    if (err !== undefined) {
      expectCoded(err, codes);
      const after = snapshot(k, m);
      if (after !== before) throw new Error(`a failed call changed the namespace:\n${before}\n${after}`);
    }
    return made;
  }

  test('make_dev', () => {
    fc.assert(fc.property(nameArb, (name) => {
      const d = attempt(() => k.make_dev(plainsw, 0, 0, 0, 0o600, name), NAME_CODES);
      if (d) expectValidName(d, k, m);
    }), fuzzParams());
  });

  test('make_dev with printf formats and arguments of any type', () => {
    fc.assert(fc.property(formatArb, ({ fmt, args }) => {
      const d = attempt(() => k.make_dev(plainsw, 0, 0, 0, 0o600, fmt, ...args), NAME_CODES);
      if (d) expectValidName(d, k, m);
    }), fuzzParams());
  });

  test('make_dev_alias', () => {
    fc.assert(fc.property(nameArb, (name) => {
      const d = attempt(() => k.make_dev_alias(target, name), NAME_CODES);
      if (d) {
        expectValidName(d, k, m);
        if (m.lstat(d.si_name).isSymbolicLink() !== true) throw new Error('an alias is not a symlink');
      }
    }), fuzzParams());
  });

  test('symlink (link names and targets)', () => {
    fc.assert(fc.property(nameArb, nameArb, (link, to) => {
      attempt(() => m.symlink(to, link), LINK_CODES);
    }), fuzzParams());
  });
});
