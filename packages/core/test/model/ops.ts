import fc from 'fast-check';
import { D_AUTOOWN, D_DISK, D_TRACKCLOSE, D_TTY } from '@devfs/core';
import type { Cred } from '@devfs/core';
import { APPLY_SPECS, RULESET_CHOICES } from './rulesets';

/**
 * One step of a model-based run, as plain data (so a shrunk failing sequence can be pasted into
 * model-regressions.test.ts). `dev`, `m` and `h` index the devices, mounts and handles created so
 * far (taken modulo their count; a step whose list is empty does nothing); `cred` indexes CREDS.
 */
export type Op =
  | { op: 'make_dev'; name: string; kind: number; uid: number; gid: number; mode: number; forUid?: number }
  | { op: 'make_dev_alias'; dev: number; name: string }
  | { op: 'destroy_dev'; dev: number }
  | { op: 'dev_depends'; parent: number; child: number }
  | { op: 'mount'; ruleset: number; jail: boolean; readOnly: boolean }
  | { op: 'unmount'; m: number }
  | { op: 'chmod'; m: number; path: string; mode: number; cred: number }
  | { op: 'chown'; m: number; path: string; uid: number; gid: number; cred: number }
  | { op: 'unlink'; m: number; path: string; cred: number }
  | { op: 'mknod'; m: number; path: string; cred: number }
  | { op: 'symlink'; m: number; target: string; path: string; cred: number }
  | { op: 'setRuleset'; m: number; ruleset: number; cred: number }
  | { op: 'applyRule'; m: number; spec: number; cred: number }
  | { op: 'applyRuleset'; m: number; ruleset?: number; cred: number }
  | { op: 'stat'; m: number; path: string; follow: boolean; cred: number }
  | { op: 'readdir'; m: number; path: string; cred: number }
  | { op: 'readlink'; m: number; path: string; cred: number }
  | { op: 'open'; m: number; path: string; flags: 'r' | 'w' | 'r+'; cred: number }
  | { op: 'close'; h: number }
  | { op: 'rename'; m: number; path: string; to: string; cred: number }
  | { op: 'read'; h: number }
  /** More inode-table changes than the change log holds: every mount and view must rescan. */
  | { op: 'wrap' };

/** Credentials of the run: root, two users sharing group 20, a member of group 5 (tty). */
export const CREDS: readonly Cred[] = [
  { uid: 0, gid: 0, groups: [0] },
  { uid: 1001, gid: 1001, groups: [1001, 20] },
  { uid: 1002, gid: 1002, groups: [1002, 20] },
  { uid: 1003, gid: 5, groups: [5] },
];

/** Driver kinds: d_flags of the cdevsw a make_dev step uses (kind 0 is also the cloner's). */
export const KINDS: readonly number[] = [0, D_TTY, D_DISK, D_TTY | D_AUTOOWN, D_TRACKCLOSE];
/** Names the test's clone handler creates on an open miss (prefix 'cl'). */
export const CLONE_NAME = /^cl[0-9]$/;

/** Device names: few, nested, so that collisions and prefix conflicts are frequent. */
export const NAMES = ['x', 'y', 'a', 'a/b', 'a/c', 'a/b/c', 'b/x', 'tty0'] as const;
/** Paths mount calls use: the names, their directories, link names, misses, a path through a device, clones. */
export const PATHS = ['', 'x', 'y', 'a', 'a/b', 'a/c', 'a/b/c', 'b', 'b/x', 'tty0', 'l', 'a/l', 'nosuch', 'x/y', 'cl0', 'cl1'] as const;
/** Where user symlinks are made: devices they cover, a directory (EEXIST), new names. */
export const LINK_PATHS = ['l', 'a/l', 'x', 'a/b', 'a', 'b/l'] as const;
/** Symlink targets: relative, parent-relative, absolute, dangling, loops through `l`, a clone name. */
export const TARGETS = ['x', 'a/b', '../x', '/y', 'l', 'a', 'nosuch', 'b/x', 'a/l', 'cl1'] as const;
const IDS = [0, 1001, 1002] as const;
const GIDS = [0, 5, 20, 1001] as const;
const MODES = [0o600, 0o644, 0o666, 0o660, 0o640, 0o000, 0o755, 0o700, 0o711, 0o555, 0o777, 0o620] as const;

const idx = fc.nat({ max: 7 });
/** Root half of the time (most changes are root's), a user otherwise. */
const cred = fc.oneof(fc.constant(0), fc.nat({ max: CREDS.length - 1 }));
/** Rulesets, the missing one (99) rarely. */
const ruleset = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...RULESET_CHOICES.filter((n) => n !== 99)) }, { weight: 1, arbitrary: fc.constant(99) });
/** Paths, half of the time one of the INITIAL devices' (so that whiteouts meet mknods). */
const path = fc.oneof(fc.constantFrom('x', 'a/b', 'y', 'tty0', 'a', 'l'), fc.constantFrom(...PATHS));

/**
 * Steps every model-based run starts with (after its one plain mount #0): four devices — one in
 * a directory, one tty, one auto-owned — and a mount with ruleset 11 (#1) and a jail with 12 (#2).
 * A failing sequence printed by model.test.ts runs after these: prepend `...INITIAL` to replay it.
 */
export const INITIAL: readonly Op[] = [
  { op: 'make_dev', name: 'x', kind: 0, uid: 0, gid: 0, mode: 0o600 },
  { op: 'make_dev', name: 'a/b', kind: 2, uid: 1001, gid: 20, mode: 0o640 },
  { op: 'make_dev', name: 'y', kind: 1, uid: 0, gid: 5, mode: 0o620 },
  { op: 'make_dev', name: 'tty0', kind: 3, uid: 0, gid: 0, mode: 0o666 },
  { op: 'mount', ruleset: 11, jail: false, readOnly: false },
  { op: 'mount', ruleset: 12, jail: true, readOnly: false },
];

/** The steps but `wrap`, weighted towards the namespace and attribute changes. */
const steps: fc.WeightedArbitrary<Op>[] = [
  { weight: 12, arbitrary: fc.record({ op: fc.constant('make_dev' as const), name: fc.constantFrom(...NAMES), kind: fc.nat({ max: KINDS.length - 1 }),
    uid: fc.constantFrom(...IDS), gid: fc.constantFrom(...GIDS), mode: fc.constantFrom(...MODES),
    forUid: fc.option(fc.constantFrom(1001, 1002), { nil: undefined }) }, { requiredKeys: ['op', 'name', 'kind', 'uid', 'gid', 'mode'] }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('make_dev_alias' as const), dev: idx, name: fc.constantFrom(...NAMES) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('destroy_dev' as const), dev: idx }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('dev_depends' as const), parent: idx, child: idx }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('mount' as const), ruleset: ruleset, jail: fc.boolean(), readOnly: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unmount' as const), m: idx }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('chmod' as const), m: idx, path, mode: fc.constantFrom(...MODES), cred }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('chown' as const), m: idx, path, uid: fc.constantFrom(-1, ...IDS), gid: fc.constantFrom(-1, ...GIDS), cred }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('unlink' as const), m: idx, path, cred }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('mknod' as const), m: idx, path, cred }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('symlink' as const), m: idx, target: fc.constantFrom(...TARGETS), path: fc.constantFrom(...LINK_PATHS), cred }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('setRuleset' as const), m: idx, ruleset: ruleset, cred }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('applyRule' as const), m: idx, spec: fc.nat({ max: APPLY_SPECS.length - 1 }), cred }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('applyRuleset' as const), m: idx, ruleset: fc.option(ruleset, { nil: undefined }), cred },
    { requiredKeys: ['op', 'm', 'cred'] }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('stat' as const), m: idx, path, follow: fc.boolean(), cred }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('readdir' as const), m: idx, path, cred }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('readlink' as const), m: idx, path, cred }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('open' as const), m: idx, path, flags: fc.constantFrom('r' as const, 'w' as const, 'r+' as const), cred }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('close' as const), h: idx }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('read' as const), h: idx }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rename' as const), m: idx, path, to: path, cred }) },
];

/**
 * The arbitrary of one step. `wrap` costs tens of milliseconds (65k inode-table changes), so it
 * comes about once per 2,000 steps: a few dozen times per default run.
 */
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  ...steps.map(({ weight, arbitrary }) => ({ weight: weight * 20, arbitrary })),
  { weight: 1, arbitrary: fc.constant({ op: 'wrap' as const }) },
);
