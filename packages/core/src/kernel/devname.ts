import { devfsError } from '../errors';

/** Longest device name accepted (FreeBSD's SPECNAMELEN). */
export const SPECNAMELEN = 255;

/**
 * printf-style formatting of device names: `%d`/`%i`, `%u`, `%x`/`%X`, `%o`, `%s`, `%c`, `%%`,
 * with optional zero-padding and width (`%02d`).
 */
export function formatDevName(fmt: string, args: readonly unknown[]): string {
  if (fmt.indexOf('%') < 0) return fmt;
  let i = 0;
  return fmt.replace(/%(0?)(\d*)([diuxXosc%])/g, (_m, zero: string, width: string, conv: string) => {
    if (conv === '%') return '%';
    const v = args[i++];
    let s: string;
    switch (conv) {
      case 'd': case 'i': s = String(Math.trunc(Number(v))); break;
      case 'u': s = String(Math.trunc(Number(v)) >>> 0); break;
      case 'x': s = (Math.trunc(Number(v)) >>> 0).toString(16); break;
      case 'X': s = (Math.trunc(Number(v)) >>> 0).toString(16).toUpperCase(); break;
      case 'o': s = (Math.trunc(Number(v)) >>> 0).toString(8); break;
      case 'c': s = typeof v === 'number' ? String.fromCharCode(v) : String(v).charAt(0); break;
      default: s = String(v);
    }
    const w = width ? Number(width) : 0;
    return s.length >= w ? s : (zero ? '0' : ' ').repeat(w - s.length) + s;
  });
}

/**
 * Validates and normalises a device name like FreeBSD's prep_devname: strips leading '/',
 * collapses '//'; empty names, a trailing '/', '.' or '..' components, whitespace and '"' are
 * EINVAL; longer than SPECNAMELEN is ENAMETOOLONG. Returns the normalised name.
 */
export function prepDevName(raw: string, syscall = 'make_dev'): string {
  if (typeof raw !== 'string') throw devfsError('EINVAL', syscall, String(raw), 'device name must be a string');
  let name = raw.replace(/^\/+/, '').replace(/\/{2,}/g, '/');
  if (name.length > SPECNAMELEN) throw devfsError('ENAMETOOLONG', syscall, name);
  if (name.length === 0) throw devfsError('EINVAL', syscall, raw, 'empty device name');
  if (name.endsWith('/')) throw devfsError('EINVAL', syscall, raw, 'device name ends with /');
  if (/[\s"]/.test(name) || /[\x00-\x1f\x7f]/.test(name)) {
    throw devfsError('EINVAL', syscall, raw, 'device name contains whitespace, a control character or "');
  }
  for (const part of name.split('/')) {
    if (part === '.' || part === '..') throw devfsError('EINVAL', syscall, raw, `'${part}' component in device name`);
  }
  return name;
}
