import { randomBytes } from 'crypto';
import { devfsError } from '@devfs/core';
import { TAP_MAC_PREFIX } from './constants';

const MAC_RE = /^([0-9A-Fa-f]{1,2}):([0-9A-Fa-f]{1,2}):([0-9A-Fa-f]{1,2}):([0-9A-Fa-f]{1,2}):([0-9A-Fa-f]{1,2}):([0-9A-Fa-f]{1,2})$/;

/**
 * Parses and validates a MAC address the way `net.link.tap.<if>` accepts it: 11–17 characters,
 * six ':'-separated groups of 1–2 hex digits, not multicast (nor broadcast), not all zero.
 * Throws EINVAL (with `syscall`/`path` for the message) and never returns a half-parsed value.
 */
export function parseMac(text: unknown, syscall = 'parseMac', path?: string): Buffer {
  if (typeof text !== 'string') throw devfsError('EINVAL', syscall, path, 'MAC address must be a string');
  if (text.length < 11 || text.length > 17) throw devfsError('EINVAL', syscall, path, `MAC address '${text}' must be 11 to 17 characters`);
  const m = MAC_RE.exec(text);
  if (!m) throw devfsError('EINVAL', syscall, path, `'${text}' is not a MAC address (xx:xx:xx:xx:xx:xx)`);
  return checkMac(Buffer.from(m.slice(1, 7).map((g) => parseInt(g, 16))), syscall, path);
}

/** Validates a 6-byte address Buffer (unicast, not zero); returns a copy. Throws EINVAL. */
export function checkMac(addr: unknown, syscall = 'checkMac', path?: string): Buffer {
  if (!Buffer.isBuffer(addr) || addr.length !== 6) throw devfsError('EINVAL', syscall, path, 'MAC address must be 6 bytes');
  if (addr[0] & 1) throw devfsError('EINVAL', syscall, path, `${formatMac(addr)} is a multicast address`);
  if (addr.every((b) => b === 0)) throw devfsError('EINVAL', syscall, path, 'the all-zero MAC address is not allowed');
  return Buffer.from(addr);
}

/** Formats 6 bytes as 'xx:xx:xx:xx:xx:xx' (lower-case, two digits each). */
export function formatMac(addr: Buffer): string {
  return [...addr.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** A fresh address: prefix f2:0b:a4 (locally administered, unicast) and three random bytes. */
export function randomTapMac(): Buffer {
  return Buffer.concat([Buffer.from(TAP_MAC_PREFIX), randomBytes(3)]);
}
