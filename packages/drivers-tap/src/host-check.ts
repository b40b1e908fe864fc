import * as fs from 'fs';
import { devfsError, DevfsError } from '@devfs/core';

/** CAP_NET_ADMIN's bit in the capability sets. */
const CAP_NET_ADMIN = 12;

/** True when a /proc/<pid>/status text shows CAP_NET_ADMIN in the effective set. */
export function hasNetAdmin(statusText: string): boolean {
  const m = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(statusText);
  if (!m) return false;
  return ((BigInt('0x' + m[1]) >> BigInt(CAP_NET_ADMIN)) & 1n) === 1n;
}

/**
 * Why this process cannot run tap interfaces, or undefined when it can: ENOENT when `tunPath`
 * is missing, EACCES when it cannot be opened read-write, EPERM without CAP_NET_ADMIN.
 */
export function tapHostProblem(tunPath = '/dev/net/tun'): DevfsError | undefined {
  try {
    fs.accessSync(tunPath, fs.constants.R_OK | fs.constants.W_OK);
  } catch (err) {
    const code = (err as { code?: string }).code === 'ENOENT' ? 'ENOENT' : 'EACCES';
    return devfsError(code, 'open', tunPath, code === 'ENOENT'
      ? 'no TUN/TAP device on this host (load the tun module or run with /dev/net/tun available)'
      : 'cannot open the TUN/TAP device read-write');
  }
  let status = '';
  try {
    status = fs.readFileSync('/proc/self/status', 'utf8');
  } catch {
    return undefined; // no procfs: let the first real call report its own error
  }
  if (!hasNetAdmin(status)) {
    return devfsError('EPERM', 'capget', tunPath, 'the process lacks CAP_NET_ADMIN, needed to create tap interfaces');
  }
  return undefined;
}
