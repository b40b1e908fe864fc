import { randomBytes } from 'crypto';
import { devfsError } from '@devfs/core';
import { TAP_MAC_PREFIX } from './constants';

const MAC_RE = /^([0-9A-Fa-f]{1,2}):([0-9A-Fa-f]{1,2}):([0-9A-Fa-f]{1,2}):([0-9A-Fa-f]{1,2}):([0-9A-Fa-f]{1,2}):([0-9A-Fa-f]{1,2})$/;

/**
 * Parses and validates a MAC address the way `net.link.tap.<if>` accepts it: 11–17 characters,
 * six ':'-separated groups of 1–2 hex digits, not multicast (nor broadcast), not all zero.
 * Throws EINVAL (with `syscall`/`path` for the message) and never returns a half-parsed value.
 * The message quotes the text (`'zz' is not a MAC address: …`) unless `quote` is false — for a
 * caller whose own message already quotes it (the sysctl: `invalid value 'zz' for …: reason`).
 */
export function parseMac(text: unknown, syscall = 'parseMac', path?: string, quote = true): Buffer {
  const fail = (problem: string) => devfsError('EINVAL', syscall, path,
    quote && typeof text === 'string' ? `'${text}' is not a usable MAC address: ${problem}` : problem);
  if (typeof text !== 'string') throw fail('a MAC address must be a string');
  if (text.length < 11 || text.length > 17) throw fail('a MAC address has 11 to 17 characters');
  const m = MAC_RE.exec(text);
  if (!m) throw fail("a MAC address is six ':'-separated groups of 1 or 2 hex digits (xx:xx:xx:xx:xx:xx)");
  const addr = Buffer.from(m.slice(1, 7).map((g) => parseInt(g, 16)));
  const problem = macProblem(addr);
  if (problem) throw fail(problem);
  return addr;
}

/** Why 6 bytes cannot be an interface's address (multicast or all zero), else undefined. */
function macProblem(addr: Buffer): string | undefined {
  if (addr[0] & 1) return 'a multicast address cannot be an interface address';
  if (addr.every((b) => b === 0)) return 'the all-zero address is not allowed';
  return undefined;
}

/** Validates a 6-byte address Buffer (unicast, not zero); returns a copy. Throws EINVAL. */
export function checkMac(addr: unknown, syscall = 'checkMac', path?: string): Buffer {
  if (!Buffer.isBuffer(addr) || addr.length !== 6) throw devfsError('EINVAL', syscall, path, 'a MAC address must be 6 bytes');
  const problem = macProblem(addr);
  if (problem) throw devfsError('EINVAL', syscall, path, `${formatMac(addr)} is not a usable MAC address: ${problem}`);
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
