/**
 * Every public entry of core, called with arguments of the wrong type, throws (or rejects with)
 * EINVAL in Node's system-error shape — code, errno, syscall, and path where the call is about
 * one — and changes nothing: devices, every mount's tree and attributes, rulesets, sysctls and
 * the event stream are compared before and after each call.
 */
import {
  createHost, createKernel, DevFile, DevfsError, formatDevName, Host, Kernel, Mount, parseOpenFlags,
  prepDevName, Rules, selrecord, selwakeup, Events, Cdev, devfsError, writeFileAtomic,
} from '@devfs/core';
import * as fs from 'fs';
import * as path from 'path';
import { plainsw } from './helpers';

const SYM = Symbol('bad');
const ALL: unknown[] = [undefined, null, SYM, {}, 5, 'x', NaN];

/** What kind of value an argument takes; the bad values follow from it. */
type Kind = 'string' | 'optString' | 'int' | 'optInt' | 'object' | 'optObject' | 'fn' | 'optFn' | 'cred'
  | 'ruleset' | 'optRuleset' | 'optBool' | 'finite' | 'all';

function badFor(kind: Kind): unknown[] {
  switch (kind) {
    case 'string': return [undefined, null, SYM, {}, 5, NaN];
    case 'optString': return [null, SYM, {}, 5, NaN];
    case 'int': return [undefined, null, SYM, {}, 'x', NaN, 1.5];
    case 'optInt': return [null, SYM, {}, 'x', NaN, 1.5];
    case 'object': return [undefined, null, SYM, 5, 'x', NaN];
    case 'optObject': return [null, SYM, 5, 'x', NaN];
    case 'fn': return ALL;
    case 'optFn': return [null, SYM, {}, 5, 'x', NaN];
    case 'cred': return [null, SYM, {}, 5, 'x', NaN, { uid: -1, gid: 0 }, { uid: 1.5, gid: 0 }, { uid: 0, gid: 2 ** 40 }, { uid: '0', gid: 0 }];
    case 'ruleset': return [undefined, null, SYM, {}, NaN, -1, 1.5];
    case 'optRuleset': return [null, SYM, {}, NaN, -1];
    case 'optBool': return [null, SYM, {}, 5, 'x', NaN];
    case 'finite': return [undefined, null, SYM, {}, 'x', NaN];
    case 'all': return ALL;
  }
}

/** The objects the calls act on. */
interface World {
  k: Kernel;
  m: Mount;
  dev: Cdev;
  file: DevFile;
  host: Host;
  delivered: number;
}

const CLOSED = new Set<string>();

async function makeWorld(): Promise<World> {
  const k = createKernel();
  const dev = k.make_dev(plainsw, 0, 0, 0, 0o666, 'a');
  k.make_dev(plainsw, 1, 0, 0, 0o600, 'd/b');
  const m = k.mount({ name: 'm' });
  m.symlink('a', 'lnk');
  k.rules.add(10, 'path a mode 644');
  const file = await m.open('a', 'r+');
  const host = await createHost({ drivers: [], kernel: createKernel(), onError: () => undefined });
  const w: World = { k, m, dev, file, host, delivered: 0 };
  k.events.on(() => { w.delivered++; });
  return w;
}

/** Everything a bad call must leave as it was. */
function snapshot(w: World): string {
  const k = w.k;
  const mounts = [...k.mounts].map((m) => {
    const tree: unknown[] = [];
    const walk = (p: string): void => {
      for (const e of m.readdir(p)) {
        const full = p ? `${p}/${e.name}` : e.name;
        const s = m.lstat(full);
        tree.push([full, e.type, s.mode, s.uid, s.gid]);
        if (e.type === 'dir') walk(full);
      }
    };
    walk('');
    return [m.name, m.ruleset, m.readOnly, m.jail, tree];
  });
  return JSON.stringify({
    devices: [...k.devices()].map((d) => [d.si_name, d.unit, d.uid, d.gid, d.mode]),
    mounts,
    rules: k.rules.list().map((n) => [n, k.rules.name(n), k.rules.show(n)]),
    depth: k.rules.depth,
    sysctl: k.sysctl.list().map((n) => [n, n === 'kern.devfs.generation' ? 0 : k.sysctl.read(n)]),
    events: [k.events.ruleCount, k.events.pending + w.delivered],
    file: [w.file.closed, w.file.position, w.file.nonBlocking],
    host: [w.host.drivers.length, w.host.plugins.length],
  });
}

type Call = (w: World, v: unknown) => unknown;
/** [label, syscall, kind, call, extra bad values, expected path] */
type Entry = [string, string, Kind, Call, unknown[]?, string?];
const any = (v: unknown) => v as never;

const entries: Entry[] = [
  // ------------------------------------------------------------- Kernel
  ['make_dev devsw', 'make_dev', 'all', (w, v) => w.k.make_dev(any(v), 0, 0, 0, 0o600, 'n')],
  ['make_dev unit', 'make_dev', 'optInt', (w, v) => w.k.make_dev(plainsw, any(v), 0, 0, 0o600, 'n'), [2 ** 40], 'n'],
  ['make_dev uid', 'make_dev', 'optInt', (w, v) => w.k.make_dev(plainsw, 0, any(v), 0, 0o600, 'n'), [-1, '0', 2 ** 40, 2 ** 32 - 1], 'n'],
  ['make_dev gid', 'make_dev', 'optInt', (w, v) => w.k.make_dev(plainsw, 0, 0, any(v), 0o600, 'n'), [-1, '0', 2 ** 40, 2 ** 32 - 1], 'n'],
  ['make_dev mode', 'make_dev', 'optInt', (w, v) => w.k.make_dev(plainsw, 0, 0, 0, any(v), 'n'), [-1, 0o10000, '600'], 'n'],
  ['make_dev name', 'make_dev', 'string', (w, v) => w.k.make_dev(plainsw, 0, 0, 0, 0o600, any(v))],
  ['make_dev %d argument', 'make_dev', 'finite', (w, v) => w.k.make_dev(plainsw, 0, 0, 0, 0o600, 'n%d', v), [Infinity]],
  ['make_dev %s argument', 'make_dev', 'finite', (w, v) => w.k.make_dev(plainsw, 0, 0, 0, 0o600, 'n%s', v), [], undefined],
  ['make_dev %c argument', 'make_dev', 'finite', (w, v) => w.k.make_dev(plainsw, 0, 0, 0, 0o600, 'n%c', v), [-1, 1.5, '', 0x10000]],
  ['make_dev_s args', 'make_dev', 'all', (w, v) => w.k.make_dev_s(any(v), 'n')],
  ['make_dev_s flags', 'make_dev', 'optInt', (w, v) => w.k.make_dev_s({ devsw: plainsw, flags: any(v) }, 'n'), [-1], 'n'],
  ['make_dev_s d_flags', 'make_dev', 'optInt', (w, v) => w.k.make_dev_s({ devsw: { d_name: 'x', d_flags: any(v) } }, 'n'), [], 'n'],
  ['make_dev_s adoptInode', 'make_dev', 'optObject', (w, v) => w.k.make_dev_s({ devsw: plainsw, adoptInode: any(v) }, 'n'), [{}, { ino: 'x', gen: 0 }], 'n'],
  ['make_dev_alias target', 'make_dev_alias', 'all', (w, v) => w.k.make_dev_alias(any(v), 'al')],
  ['make_dev_alias name', 'make_dev', 'string', (w, v) => w.k.make_dev_alias(w.dev, any(v))],
  ['dev_depends parent', 'dev_depends', 'all', (w, v) => w.k.dev_depends(any(v), w.dev)],
  ['dev_depends child', 'dev_depends', 'all', (w, v) => w.k.dev_depends(w.dev, any(v))],
  ['destroy_dev', 'destroy_dev', 'all', (w, v) => w.k.destroy_dev(any(v))],
  ['destroy_dev_sched device', 'destroy_dev_sched', 'all', (w, v) => w.k.destroy_dev_sched(any(v))],
  ['destroy_dev_sched callback', 'destroy_dev_sched', 'optFn', (w, v) => w.k.destroy_dev_sched(w.dev, any(v)), [], 'a'],
  ['fdclone file', 'fdclone', 'object', (w, v) => w.k.fdclone(any(v), {}, 1)],
  ['devfs_set_cdevpriv file', 'devfs_set_cdevpriv', 'object', (w, v) => w.k.devfs_set_cdevpriv(any(v), 1)],
  ['devfs_set_cdevpriv dtor', 'devfs_set_cdevpriv', 'optFn', (w, v) => w.k.devfs_set_cdevpriv(w.file, 1, any(v)), [], 'a'],
  ['devfs_get_cdevpriv file', 'devfs_get_cdevpriv', 'object', (w, v) => w.k.devfs_get_cdevpriv(any(v))],
  ['onClone handler', 'onClone', 'fn', (w, v) => w.k.onClone(any(v))],
  ['onClone options', 'onClone', 'optObject', (w, v) => w.k.onClone(() => undefined, any(v))],
  ['onClone priority', 'onClone', 'optInt', (w, v) => w.k.onClone(() => undefined, { priority: any(v) })],
  ['onClone prefix', 'onClone', 'optString', (w, v) => w.k.onClone(() => undefined, { prefix: any(v) })],
  ['unitAllocator max', 'unitAllocator', 'optInt', (w, v) => w.k.unitAllocator(any(v)), [-1]],
  ['lookupDev name', 'lookupDev', 'string', (w, v) => w.k.lookupDev(any(v))],
  ['runCloners name', 'runCloners', 'string', (w, v) => w.k.runCloners(any(v))],
  ['runCloners cred', 'runCloners', 'cred', (w, v) => w.k.runCloners('zz', any(v)), [], 'zz'],
  ['onForeign tag', 'onForeign', 'int', (w, v) => w.k.onForeign(any(v), () => undefined), [-1]],
  ['onForeign adopt', 'onForeign', 'fn', (w, v) => w.k.onForeign(7, any(v))],
  ['onForeign release', 'onForeign', 'optFn', (w, v) => w.k.onForeign(7, () => undefined, any(v))],
  ['mount options', 'mount', 'optObject', (w, v) => w.k.mount(any(v))],
  ['mount ruleset', 'mount', 'optRuleset', (w, v) => w.k.mount({ ruleset: any(v) })],
  ['mount name', 'mount', 'optString', (w, v) => w.k.mount({ name: any(v) })],
  ['mount readOnly', 'mount', 'optBool', (w, v) => w.k.mount({ readOnly: any(v) })],
  ['mount jail', 'mount', 'optBool', (w, v) => w.k.mount({ jail: any(v), ruleset: 4 })],
  ['mountNamed', 'mountNamed', 'string', (w, v) => w.k.mountNamed(any(v))],
  ['onMiss', 'onMiss', 'fn', (w, v) => w.k.onMiss(any(v))],
  ['kernel emit', 'events.emit', 'all', (w, v) => w.k.emit(any(v))],
  ['createKernel options', 'createKernel', 'optObject', (_w, v) => createKernel(any(v))],
  ['createKernel memDevices', 'createKernel', 'optBool', (_w, v) => createKernel({ memDevices: any(v) })],
  // ------------------------------------------------------------- Mount
  ...(['stat', 'lstat', 'readdir', 'readlink', 'unlink', 'mknod'] as const).flatMap((op): Entry[] => [
    [`${op} path`, op === 'readdir' ? 'scandir' : op, 'string', (w, v) => (w.m[op] as (p: unknown) => unknown)(any(v))],
    [`${op} cred`, op === 'readdir' ? 'scandir' : op, 'cred', (w, v) => (w.m[op] as (p: string, c: unknown) => unknown).call(w.m, op === 'readlink' ? 'lnk' : op === 'mknod' ? 'zz' : 'a', v)],
  ]),
  ['chmod path', 'chmod', 'string', (w, v) => w.m.chmod(any(v), 0o600)],
  ['chmod mode', 'chmod', 'int', (w, v) => w.m.chmod('a', any(v)), [-1, 0o10000, '600'], 'a'],
  ['chmod cred', 'chmod', 'cred', (w, v) => w.m.chmod('a', 0o600, any(v)), [], 'a'],
  ['chown path', 'chown', 'string', (w, v) => w.m.chown(any(v), 1, 1)],
  ['chown uid', 'chown', 'int', (w, v) => w.m.chown('a', any(v), 1), [-2, 2 ** 40, '0'], 'a'],
  ['chown gid', 'chown', 'int', (w, v) => w.m.chown('a', 1, any(v)), [-2, 2 ** 40, '0'], 'a'],
  ['chown cred', 'chown', 'cred', (w, v) => w.m.chown('a', 1, 1, any(v)), [], 'a'],
  ['utimes atime', 'utimes', 'finite', (w, v) => w.m.utimes('a', any(v), 0), [Infinity], 'a'],
  ['utimes mtime', 'utimes', 'finite', (w, v) => w.m.utimes('a', 0, any(v)), [], 'a'],
  ['utimes cred', 'utimes', 'cred', (w, v) => w.m.utimes('a', 0, 0, any(v)), [], 'a'],
  ['symlink target', 'symlink', 'string', (w, v) => w.m.symlink(any(v), 'l2'), [''], 'l2'],
  ['symlink path', 'symlink', 'string', (w, v) => w.m.symlink('a', any(v))],
  ['symlink cred', 'symlink', 'cred', (w, v) => w.m.symlink('a', 'l2', any(v)), [], 'l2'],
  ['rename from', 'rename', 'string', (w, v) => w.m.rename(any(v), 'b')],
  ['rename to', 'rename', 'string', (w, v) => w.m.rename('a', any(v))],
  ['setRuleset ruleset', 'setRuleset', 'ruleset', (w, v) => w.m.setRuleset(any(v))],
  ['setRuleset cred', 'setRuleset', 'cred', (w, v) => w.m.setRuleset(10, any(v))],
  ['applyRuleset ruleset', 'applyRuleset', 'optRuleset', (w, v) => w.m.applyRuleset(any(v))],
  ['applyRuleset cred', 'applyRuleset', 'cred', (w, v) => w.m.applyRuleset(10, any(v))],
  ['applyRule spec', 'applyRule', 'string', (w, v) => w.m.applyRule(any(v))],
  ['applyRule cred', 'applyRule', 'cred', (w, v) => w.m.applyRule('path a hide', any(v))],
  ['open path', 'open', 'string', (w, v) => w.m.open(any(v), 'r')],
  ['open flags', 'open', 'finite', (w, v) => w.m.open('a', any(v)), [-1, 1.5, 'rw']],
  ['open cred', 'open', 'cred', (w, v) => w.m.open('a', 'r', any(v)), [], 'a'],
  ['parseOpenFlags', 'open', 'finite', (_w, v) => parseOpenFlags(any(v)), [-1, 1.5, 'rw']],
  ['formatDevName format', 'make_dev', 'string', (_w, v) => formatDevName(any(v), [])],
  ['formatDevName arguments', 'make_dev', 'all', (_w, v) => formatDevName('n%d', any(v))],
  ['writeFileAtomic file', 'writeFileAtomic', 'string', (_w, v) => writeFileAtomic(any(v), 'x')],
  ['writeFileAtomic text', 'writeFileAtomic', 'string', (_w, v) => writeFileAtomic('/nonexistent-dir/f', any(v)), [], '/nonexistent-dir/f'],
  ['writeFileAtomic mode', 'writeFileAtomic', 'optInt', (_w, v) => writeFileAtomic('/nonexistent-dir/f', 'x', any(v)), [-1, 0o10000], '/nonexistent-dir/f'],
  ['prepDevName name', 'make_dev', 'string', (_w, v) => prepDevName(any(v))],
  // ------------------------------------------------------------- DevFile
  ['read buffer', 'read', 'all', (w, v) => w.file.read(any(v)), [[1, 2]], 'a'],
  ['read position', 'read', 'optInt', (w, v) => w.file.read(Buffer.alloc(1), any(v)), [-1], 'a'],
  ['write buffer', 'write', 'all', (w, v) => w.file.write(any(v)), [[1, 2]], 'a'],
  ['write position', 'write', 'optInt', (w, v) => w.file.write(Buffer.alloc(1), any(v)), [-1], 'a'],
  ['ioctl command', 'ioctl', 'int', (w, v) => w.file.ioctl(any(v)), [], 'a'],
  ['poll events', 'poll', 'int', (w, v) => w.file.poll(any(v), 0), [-1], 'a'],
  ['poll timeout', 'poll', 'optObject', (w, v) => w.file.poll(1, any(v)), [{}, '10'], 'a'],
  ['readableStream options', 'readableStream', 'optObject', (w, v) => w.file.readableStream(any(v)), [], 'a'],
  ['readableStream chunkSize', 'readableStream', 'optInt', (w, v) => w.file.readableStream({ chunkSize: any(v) }), [0], 'a'],
  ['selrecord', 'selrecord', 'all', (w, v) => selrecord(w.file, any(v))],
  ['selwakeup', 'selwakeup', 'all', (_w, v) => selwakeup(any(v))],
  // ------------------------------------------------------------- Rules
  ['new Rules options', 'rules', 'optObject', (_w, v) => new Rules(any(v))],
  ['rules.load text', 'rules.load', 'string', (w, v) => w.k.rules.load(any(v))],
  ['rules.load source', 'rules.load', 'optString', (w, v) => w.k.rules.load('[x=11]\nadd path a hide', any(v))],
  ['rules.add ruleset', 'rules.add', 'ruleset', (w, v) => w.k.rules.add(any(v), 'path a hide')],
  ['rules.add spec', 'rules.add', 'string', (w, v) => w.k.rules.add(10, any(v))],
  ['rules.add source', 'rules.add', 'optString', (w, v) => w.k.rules.add(10, 'path a hide', any(v))],
  ['rules.del ruleset', 'rules.del', 'ruleset', (w, v) => w.k.rules.del(any(v), 100)],
  ['rules.del rnum', 'rules.del', 'int', (w, v) => w.k.rules.del(10, any(v)), [-1, 65536]],
  ['rules.delset', 'rules.resolve', 'ruleset', (w, v) => w.k.rules.delset(any(v))],
  ['rules.show', 'rules.resolve', 'ruleset', (w, v) => w.k.rules.show(any(v))],
  ['rules.resolve', 'rules.resolve', 'ruleset', (w, v) => w.k.rules.resolve(any(v))],
  ['rules.has', 'rules.resolve', 'ruleset', (w, v) => w.k.rules.has(any(v))],
  ['rules.retain', 'rules.resolve', 'ruleset', (w, v) => w.k.rules.retain(any(v))],
  ['rules.name', 'rules.name', 'int', (w, v) => w.k.rules.name(any(v))],
  ['rules.compileSpec', 'rules.apply', 'string', (w, v) => w.k.rules.compileSpec(any(v))],
  ['rules.evaluate ruleset', 'rules.evaluate', 'int', (w, v) => w.k.rules.evaluate(any(v), { path: 'a', kind: 'dev', dflags: 0 }, { hidden: false, uid: 0, gid: 0, mode: 0 })],
  ['rules.evaluate subject', 'rules.evaluate', 'object', (w, v) => w.k.rules.evaluate(10, any(v), { hidden: false, uid: 0, gid: 0, mode: 0 })],
  ['rules.evaluate attrs', 'rules.evaluate', 'object', (w, v) => w.k.rules.evaluate(10, { path: 'a', kind: 'dev', dflags: 0 }, any(v))],
  ['rules.evaluateRule rule', 'rules.evaluate', 'object', (w, v) => w.k.rules.evaluateRule(any(v), { path: 'a', kind: 'dev', dflags: 0 }, { hidden: false, uid: 0, gid: 0, mode: 0 })],
  ['rules.version', 'rules.version', 'int', (w, v) => w.k.rules.version(any(v))],
  ['rules.onChange', 'rules.onChange', 'fn', (w, v) => w.k.rules.onChange(any(v))],
  ['rules.depth', 'rules.depth', 'int', (w, v) => { w.k.rules.depth = any(v); }, [-1, 256]],
  // ------------------------------------------------------------- Events
  ['new Events options', 'events', 'optObject', (_w, v) => new Events(any(v))],
  ['events.on', 'events.on', 'fn', (w, v) => w.k.events.on(any(v))],
  ['events.once type', 'events.once', 'all', (w, v) => w.k.events.once(any(v))],
  ['events.once predicate', 'events.once', 'optFn', (w, v) => w.k.events.once('OPEN', any(v)), [], 'OPEN'],
  ['events.once timeout', 'events.once', 'optObject', (w, v) => w.k.events.once('OPEN', undefined, any(v)), [{}, -1, '10'], 'OPEN'],
  ['events.wants', 'events.wants', 'all', (w, v) => w.k.events.wants(any(v))],
  ['events.emit', 'events.emit', 'all', (w, v) => w.k.events.emit(any(v)), [{ type: 'NOPE', name: 'a' }, { type: 'OPEN' }]],
  ['events.loadConfig text', 'events.loadConfig', 'string', (w, v) => w.k.events.loadConfig(any(v))],
  ['events.loadConfig source', 'events.loadConfig', 'optString', (w, v) => w.k.events.loadConfig('REGISTER ^a$ IGNORE', any(v))],
  ['events.setActionHost', 'events.setActionHost', 'optObject', (w, v) => w.k.events.setActionHost(any(v))],
  ['events.setErrorHandler', 'events.setErrorHandler', 'optFn', (w, v) => w.k.events.setErrorHandler(any(v))],
  ['events.autoload name', 'events.autoload', 'string', (w, v) => w.k.events.autoload(any(v))],
  ['events.autoload mount', 'events.autoload', 'optString', (w, v) => w.k.events.autoload('zz', any(v)), [], 'zz'],
  // ------------------------------------------------------------- Sysctl
  ['sysctl.create name', 'sysctl.create', 'string', (w, v) => w.k.sysctl.create(any(v), { get: () => 1 })],
  ['sysctl.create node', 'sysctl.create', 'all', (w, v) => w.k.sysctl.create('t.x', any(v)), [{ get: 1 }, { get: () => 1, set: 1 }, { get: () => 1, setAsync: 1 }, { get: () => 1, device: 5 }, { get: () => 1, description: {} }], 't.x'],
  ['sysctl.read', 'sysctl.read', 'string', (w, v) => w.k.sysctl.read(any(v))],
  ['sysctl.describe', 'sysctl.describe', 'string', (w, v) => w.k.sysctl.describe(any(v))],
  ['sysctl.deviceOf', 'sysctl.read', 'string', (w, v) => w.k.sysctl.deviceOf(any(v))],
  ['sysctl.write name', 'sysctl.write', 'string', (w, v) => w.k.sysctl.write(any(v), '1')],
  ['sysctl.writeAsync name', 'sysctl.write', 'string', (w, v) => w.k.sysctl.writeAsync(any(v), '1')],
  ['sysctl.list', 'sysctl.list', 'optString', (w, v) => w.k.sysctl.list(any(v))],
  // ------------------------------------------------------------- Host
  ['createHost options', 'createHost', 'all', (_w, v) => createHost(any(v)), [{ drivers: 'x' }]],
  ['createHost kernel', 'createHost', 'optObject', (_w, v) => createHost({ drivers: [], kernel: any(v) }), [{}]],
  ['createHost paths', 'createHost', 'optObject', (_w, v) => createHost({ drivers: [], paths: any(v) }), [{}, [1]]],
  ['createHost onError', 'createHost', 'optFn', (_w, v) => createHost({ drivers: [], onError: any(v) })],
  ['host.driver', 'host.driver', 'string', (w, v) => w.host.driver(any(v))],
  ['host.load', 'plugin.load', 'all', (w, v) => w.host.load(any(v)), [], undefined],
];

/** Runs `call`, awaiting a returned promise; returns what was thrown or rejected. */
async function failure(w: World, call: Call, v: unknown): Promise<unknown> {
  try {
    const r = call(w, v);
    if (r && typeof (r as Promise<unknown>).then === 'function') await r;
  } catch (err) {
    return err;
  }
  return undefined;
}

function label(v: unknown): string {
  if (typeof v === 'symbol') return 'Symbol';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v === undefined ? 'undefined' : JSON.stringify(v);
}

describe('every public entry: wrong types → EINVAL, nothing changed', () => {
  let w: World;
  beforeAll(async () => { w = await makeWorld(); });
  afterAll(async () => {
    if (!CLOSED.has('file')) await w.file.close();
    await w.host.close();
    for (const m of [...w.k.mounts]) m.unmount();
  });

  const cases: [string, string, Call, unknown, string | undefined][] = [];
  for (const [name, syscall, kind, call, extra = [], path] of entries) {
    // 'x' is a valid string and 5 a valid number for some kinds; the kind list says which are bad
    let bad = [...badFor(kind), ...extra];
    if (name === 'host.load') bad = [undefined, null, SYM, 5, NaN];
    if (name.startsWith('make_dev %s')) bad = [undefined, null, SYM, {}];
    if (name.startsWith('make_dev %c')) bad = bad.filter((b) => b !== 'x');
    // null is "no position" for read/write; 5 is a valid timeout and valid flags
    if (/position|timeout|flags/.test(name)) bad = bad.filter((b) => b !== null && b !== 5 && !(name.includes('flags') && b === 'x'));
    for (const v of bad) cases.push([`${name} (${label(v)})`, syscall, call, v, path]);
  }

  test.each(cases)('%s', async (_label, syscall, call, v, path) => {
    const before = snapshot(w);
    const err = await failure(w, call, v);
    expect(err).toBeInstanceOf(DevfsError);
    const e = err as DevfsError;
    expect({ code: e.code, errno: e.errno, syscall: e.syscall }).toEqual({ code: 'EINVAL', errno: -22, syscall });
    if (path !== undefined) expect(e.path).toBe(path);
    expect(e.message).toMatch(/^EINVAL: /);
    expect(e.message).not.toMatch(/TypeError|Cannot read|is not a function|\[object /);
    // a settled event queue between the two snapshots is not a change
    expect(snapshot(w)).toBe(before);
  });

  test('the table covers every public method of Kernel, Mount, DevFile, Rules, Events, Sysctl and the host', () => {
    // public methods with arguments, read from the sources (not private, not @internal)
    const src = path.join(__dirname, '..', 'src');
    const files = ['kernel/kernel.ts', 'mount/mount.ts', 'file/devfile.ts', 'rules/rules.ts', 'events/events.ts', 'sysctl.ts', 'host/host.ts'];
    const publicMethods: string[] = [];
    for (const f of files) {
      const text = fs.readFileSync(path.join(src, f), 'utf8');
      const re = /(\/\*\*(?:[^*]|\*(?!\/))*\*\/\s*)?^ {2}(?:async )?([A-Za-z_]+)(?:<[^>]*>)?\(([^)])/gm;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        // `closed` is a member of the FileContext interface, not a method
        if (m[1]?.includes('@internal') || ['constructor', 'if', 'for', 'closed'].includes(m[2])) continue;
        publicMethods.push(m[2]);
      }
    }
    expect(publicMethods.length).toBeGreaterThan(50);
    const missing = publicMethods.filter((m) => !entries.some(([name]) => name.split(' ')[0].replace(/^[a-z]+\./, '') === m
      || name.split(' ')[0] === m));
    // make_dev_s is covered as make_dev's options ('make_dev_s args'), close/unmount take no arguments
    expect(missing.filter((m) => !['close', 'unmount'].includes(m))).toEqual([]);
  });
});

describe('make_dev ids and modes', () => {
  test.each([[-1], [NaN], [1.5], ['0'], [2 ** 40], [2 ** 32 - 1]])('uid/gid %p → EINVAL naming the argument', (bad) => {
    const k = createKernel({ memDevices: false });
    for (const which of [0, 1]) {
      const args = which === 0 ? [bad, 0] : [0, bad];
      let e: DevfsError | undefined;
      try { k.make_dev(plainsw, 0, args[0] as number, args[1] as number, 0o600, 'n'); } catch (err) { e = err as DevfsError; }
      expect(e?.code).toBe('EINVAL');
      expect(e?.message).toMatch(which === 0 ? /uid must be an integer 0\.\.4294967294/ : /gid must be an integer/);
      expect(e?.path).toBe('n');
    }
    expect([...k.devices()]).toHaveLength(0);
  });

  test('the largest ids and mode are accepted', () => {
    const k = createKernel({ memDevices: false });
    const d = k.make_dev(plainsw, 0, 2 ** 32 - 2, 2 ** 32 - 2, 0o7777, 'n');
    expect([d.uid, d.gid, d.mode]).toEqual([2 ** 32 - 2, 2 ** 32 - 2, 0o7777]);
  });
});

describe('poll timeouts', () => {
  const never = { d_name: 'never', d_poll: () => 0 };

  test('a timeout past 2^31-1 ms waits (Node would fire it after 1 ms); small ones still time out', async () => {
    const k = createKernel({ memDevices: false });
    k.make_dev(never, 0, 0, 0, 0o666, 'never');
    const f = await k.mount().open('never', 'r');
    let settled = false;
    const long = f.poll(1, 2 ** 31).then((r) => { settled = true; return r; });
    await expect(f.poll(1, 5)).resolves.toBe(0);
    await new Promise((r) => setTimeout(r, 30)); // deliberate: a window in which the long poll must NOT settle
    expect(settled).toBe(false);
    await f.close();                   // a closed handle wakes its polls with POLLNVAL
    expect(await long).toBeGreaterThan(0);
  });

  test('NaN, a string or null as timeout → EINVAL at once; negative or Infinity wait without limit', async () => {
    const k = createKernel({ memDevices: false });
    k.make_dev(never, 0, 0, 0, 0o666, 'never');
    const f = await k.mount().open('never', 'r');
    for (const bad of [NaN, '5', null]) await expect(f.poll(1, bad as never)).rejects.toMatchObject({ code: 'EINVAL', syscall: 'poll', path: 'never' });
    let settled = 0;
    const waits = [f.poll(1, -1), f.poll(1, Infinity)].map((p) => p.then(() => { settled++; }));
    await new Promise((r) => setTimeout(r, 20)); // deliberate: a window in which unlimited waits must NOT settle
    expect(settled).toBe(0);
    await f.close();
    await Promise.all(waits);
  });

  test('events.once with a timeout past 2^31-1 ms does not reject early', async () => {
    const k = createKernel({ memDevices: false });
    let rejected = false;
    void k.events.once('NOTIFY', undefined, 2 ** 31 + 5).catch(() => { rejected = true; });
    await new Promise((r) => setTimeout(r, 20)); // deliberate: a window in which once() must NOT reject
    expect(rejected).toBe(false);
    k.emit({ type: 'NOTIFY', name: 'x' });
    await k.events.flush();
  });
});

describe('ioctl on a cloned handle', () => {
  test('what fo_ioctl throws reaches the caller as a DevfsError; a bad command never reaches it', async () => {
    const k = createKernel({ memDevices: false });
    const seen: unknown[] = [];
    const ops = { fo_ioctl: (_f: unknown, cmd: number) => { seen.push(cmd); throw new TypeError('driver bug'); } };
    k.make_dev({ d_name: 'cl', d_open: (_d, _fl, file) => k.fdclone(file, ops, 1) }, 0, 0, 0, 0o666, 'cl');
    const f = await k.mount().open('cl', 'r');
    await expect(f.ioctl(0x5413)).rejects.toMatchObject({ code: 'EIO', syscall: 'ioctl', path: 'cl', message: 'EIO: driver bug \'cl\'' });
    await expect(f.ioctl(undefined as never)).rejects.toMatchObject({ code: 'EINVAL', syscall: 'ioctl', path: 'cl' });
    expect(seen).toEqual([0x5413]);
    await f.close();
  });
});

describe('error messages', () => {
  test('a native error converted keeps one tail (no repeated syscall and path)', async () => {
    const { toDevfsError } = await import('@devfs/core');
    const native = Object.assign(new Error("ENOENT: no such file or directory, spawn chdir '/nowhere'"),
      { code: 'ENOENT', errno: -2, syscall: 'spawn chdir', path: '/nowhere' });
    const e = toDevfsError(native, 'spawn', 'sh');
    expect(e.message).toBe("ENOENT: no such file or directory, spawn chdir '/nowhere'");
    expect({ code: e.code, errno: e.errno, syscall: e.syscall, path: e.path }).toEqual({ code: 'ENOENT', errno: -2, syscall: 'spawn chdir', path: '/nowhere' });
    // converting twice changes nothing
    expect(toDevfsError({ code: e.code, message: e.message, syscall: e.syscall, path: e.path }).message).toBe(e.message);
  });

  test('no stacked prefixes: a sysctl whose set() throws a coded error', () => {
    const k = createKernel({ memDevices: false });
    k.sysctl.create('net.x.mac', { get: () => '0', set: () => { throw devfsError('EINVAL', 'mac', 'zz', 'MAC address must be 6 bytes'); } });
    let e: DevfsError | undefined;
    try { k.sysctl.write('net.x.mac', 'zz'); } catch (err) { e = err as DevfsError; }
    expect(e?.code).toBe('EINVAL');
    expect(e?.message.match(/E[A-Z]+: /g)).toEqual(['EINVAL: ']);
    expect(e?.message).toBe("EINVAL: invalid value 'zz' for net.x.mac: MAC address must be 6 bytes");
  });

  test('a reason that quotes another error keeps one code, first', async () => {
    const { devfsError: make } = await import('@devfs/core');
    expect(make('ENOENT', 'config', '/x', "cannot read config: ENOENT: no such file or directory, open '/x'").message)
      .toBe("ENOENT: cannot read config: no such file or directory, open '/x'");
    expect(make('EPERM', 'tap', undefined, 'tap driver unavailable (EPERM: operation not permitted, TUNSETIFF)').message)
      .toBe('EPERM: tap driver unavailable (operation not permitted, TUNSETIFF)');
    expect(make('EADDRINUSE', 'listen', '/s', "EADDRINUSE: address already in use /s").message).toBe('EADDRINUSE: address already in use /s');
    expect(make('EINVAL', 'x', undefined, "unknown argument 'EXYZ: q'").message).toBe("EINVAL: unknown argument 'EXYZ: q'");
  });

  test('no internal operation names in messages that explain themselves', () => {
    const k = createKernel({ memDevices: false });
    const msgs: string[] = [];
    const grab = (f: () => unknown) => { try { f(); } catch (err) { msgs.push((err as Error).message); } };
    grab(() => k.rules.add(10, 'path a frobnicate'));
    grab(() => k.unitAllocator(3).alloc(9));
    grab(() => k.make_dev(plainsw, 0, 0, 0, 0o600, 'a b'));
    grab(() => k.mount().setRuleset('nosuch'));
    expect(msgs).toHaveLength(4);
    for (const m of msgs) expect(m).not.toMatch(/rules\.add|unit_alloc|rules\.resolve|'<add>'$|, make_dev/);
    expect(msgs[0]).toBe("EINVAL: <add>:1:8: unknown argument 'frobnicate'");
    expect(msgs[2]).toBe("EINVAL: device name contains whitespace, a control character or \" 'a b'");
  });

  test('control characters in a quoted name are escaped; long names are cut', () => {
    const k = createKernel({ memDevices: false });
    let e: DevfsError | undefined;
    try { k.make_dev(plainsw, 0, 0, 0, 0o600, 'a\x1b[31mred\n'); } catch (err) { e = err as DevfsError; }
    expect(e?.path).toBe('a\x1b[31mred\n');
    expect(e?.message).toContain("'a\\u001b[31mred\\n'");
    expect(e?.message).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
    try { k.lookupDev('x'); k.mount().stat('y'.repeat(1000)); } catch (err) { e = err as DevfsError; }
    expect(e?.message.length).toBeLessThan(400);
    try { k.rules.load(`[x=10]\nadd path a ${'z'.repeat(100000)}`); } catch (err) { e = err as DevfsError; }
    expect(e?.code).toBe('EINVAL');
    expect(e?.message.length).toBeLessThan(4200);
  });
});
