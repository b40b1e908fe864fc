/**
 * @devfs/core — the device framework: kernel registry (make_dev, destroy_dev, cloning), devfs
 * mounts, open files, rules, events, sysctl and the plugin host.
 */
import { Kernel } from './devfs';
import { registerMemDevices } from './devices/mem';
import { arg } from './validate';

export * from './constants';
export * from './errors';
export { arg, badArg } from './validate';
export * from './cred';
export { Cdev } from './kernel/cdev';
export type { Cdevsw, Fileops } from './kernel/cdevsw';
export { Kernel } from './devfs';
export type { DeviceRegistry, AdoptHook } from './kernel/kernel';
export type { MakeDevArgs, ForeignAdopter, ForeignRelease, MissHook } from './kernel/kernel';
export type { UnitAllocator } from './kernel/units';
export type { CloneHandler } from './kernel/clone';
export { formatDevName, prepDevName, SPECNAMELEN } from './kernel/devname';
export { DevFile } from './file/devfile';
export { SelInfo, selrecord, selwakeup } from './file/select';
export { Mount } from './mount/mount';
export type { MountOptions, StatOptions } from './mount/mount';
export type { DevStat, DevDirent } from './mount/stat';
export { parseOpenFlags } from './mount/open';
export { Sysctl } from './sysctl';
export { Accounts, resolveId } from './accounts';
export type { SysctlNode } from './sysctl';
export { Rules, loadStandardRules, STANDARD_RULES_PATH, STANDARD_RULESETS } from './rules';
export * from './events';
export { nullsw, zerosw, fullsw, randomsw } from './devices/mem';
export * from './host';

/**
 * Creates a kernel with the standard rulesets loaded and the memory devices null, zero, full,
 * random and urandom registered (pass `{ memDevices: false }` for a bare registry).
 */
export function createKernel(opts: { memDevices?: boolean } = {}): Kernel {
  arg.optBool(arg.object<{ memDevices?: boolean }>(opts, 'options', 'createKernel').memDevices, 'memDevices', 'createKernel', true);
  const k = new Kernel();
  if (opts.memDevices !== false) registerMemDevices(k);
  return k;
}
