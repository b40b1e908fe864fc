import type { DeviceRegistry } from '../kernel/kernel';

/**
 * What the filesystem side needs from the device registry, and nothing more: the namespace and
 * the devices by inode (to resolve and catch up), the rules, foreign-inode sync, cloning and the
 * miss hooks (lookup), the event sink, and the adoption hook (views). Mounts never create or
 * destroy devices.
 */
export type MountRegistry = Pick<DeviceRegistry,
  'ns' | 'byIno' | 'devices' | 'rules' | 'syncForeign' | 'runCloners' | 'runMissHooks' | 'emit' | 'wantsEvent' | 'onAdopt'>;
