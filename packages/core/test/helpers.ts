import { createKernel, Kernel, Cdevsw, Cred } from '@devfs/core';

/** A kernel without the memory devices, for tests that count devices. */
export function bareKernel(): Kernel {
  return createKernel({ memDevices: false });
}

/** A do-nothing driver. */
export const plainsw: Cdevsw = { d_name: 'plain' };

/** Credentials used across tests. */
export const alice: Cred = { uid: 1001, gid: 1001, groups: [1001, 20] };
export const bob: Cred = { uid: 1002, gid: 1002, groups: [1002, 20] };

export { expectCode } from '../../../test-support/codes';
export { until } from '../../../test-support/wait';
