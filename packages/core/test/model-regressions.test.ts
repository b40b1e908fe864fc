import { replay } from './model/step';
import type { Op } from './model/ops';

/**
 * Shrunk sequences the model-based test (model.test.ts) found, replayed step by step against the
 * reference model: each step's outcome and every mount's tree must agree, then the event stream.
 * Each was a bug in the code, fixed at its root; the sequence keeps it fixed.
 */
const cases: [string, Op[]][] = [
  [
    // applyRuleset of a ruleset that does not exist succeeded silently (FreeBSD: ESRCH)
    'applyRuleset of a missing ruleset is ESRCH',
    [{ op: 'applyRuleset', m: 0, ruleset: 99, cred: 0 }],
  ],
  [
    // dev_depends(alias, its own target) was accepted (the cycle check ignored aliases), and the
    // next destroy_dev recursed until the stack overflowed
    'a dependency cycle through an alias is EINVAL and destroy_dev still works',
    [
      { op: 'make_dev', name: 'x', kind: 0, uid: 0, gid: 0, mode: 0o600 },
      { op: 'make_dev_alias', dev: 0, name: 'a/c' },
      { op: 'dev_depends', parent: 1, child: 0 },
      { op: 'destroy_dev', dev: 0 },
    ],
  ],
  [
    // a user's symlink into a directory that does not exist was EPERM; FreeBSD (VOP_SYMLINK) and
    // POSIX report the lookup's errors first: ENOENT here, EEXIST over a directory
    'symlink by a user: lookup errors before EPERM',
    [
      { op: 'symlink', m: 0, target: 'x', path: 'b/l', cred: 1 },
      { op: 'make_dev', name: 'a/b', kind: 0, uid: 0, gid: 0, mode: 0o600 },
      { op: 'symlink', m: 0, target: 'x', path: 'a', cred: 1 },
      { op: 'symlink', m: 0, target: 'x', path: 'a/l', cred: 1 },
    ],
  ],
  [
    // unlink of a directory by a user who may not write its parent was EISDIR; POSIX (and
    // FreeBSD's lookup for DELETE) check the parent's write permission first: EACCES
    'unlink of a directory: EACCES on the parent before EISDIR',
    [
      { op: 'make_dev', name: 'a/b', kind: 0, uid: 0, gid: 0, mode: 0o600 },
      { op: 'unlink', m: 0, path: 'a', cred: 1 },
      { op: 'chmod', m: 0, path: '', mode: 0o777, cred: 0 },
      { op: 'unlink', m: 0, path: 'a', cred: 1 },
      { op: 'unlink', m: 0, path: '', cred: 1 },
    ],
  ],
  [
    // rename on an unmounted mount answered EPERM; every other call there is ENXIO
    'rename after unmount is ENXIO',
    [
      { op: 'mount', ruleset: 0, jail: false, readOnly: true },
      { op: 'rename', m: 1, path: 'x', to: 'y', cred: 0 },
      { op: 'unmount', m: 1 },
      { op: 'rename', m: 1, path: 'x', to: 'y', cred: 0 },
    ],
  ],
  [
    // an open whose path missed before its last component (here under a hidden directory) let
    // the MODLOAD hook emit a global LOOKUP: no mount, no opener; now it is the mount's LOOKUP
    'an open miss mid-path is the mount\'s LOOKUP',
    [
      { op: 'make_dev', name: 'a/b', kind: 0, uid: 0, gid: 0, mode: 0o600 },
      { op: 'applyRule', m: 0, spec: 2, cred: 0 },
      { op: 'open', m: 0, path: 'a/b', flags: 'r', cred: 0 },
      { op: 'open', m: 0, path: 'nosuch', flags: 'r', cred: 0 },
    ],
  ],
  [
    // the path cache kept a user link that applyRule hid (links are changed in place): unlink
    // of the hidden link succeeded instead of ENOENT
    'a link hidden by applyRule is gone from cached lookups',
    [
      { op: 'symlink', m: 0, target: 'x', path: 'l', cred: 0 },
      { op: 'applyRule', m: 0, spec: 8, cred: 0 },
      { op: 'unlink', m: 0, path: 'l', cred: 0 },
    ],
  ],
];

describe('model regressions', () => {
  test.each(cases)('%s', async (_name, ops) => {
    await replay(ops);
  });
});
