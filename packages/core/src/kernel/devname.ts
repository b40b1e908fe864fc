import { devfsError } from '../errors';
import { badArg } from '../validate';

/** Longest device name accepted, in UTF-8 bytes (FreeBSD's SPECNAMELEN). */
export const SPECNAMELEN = 255;
/** Longest formatted name, in UTF-16 units, before normalisation (the formatter stops there). */
const FORMAT_MAX = 4 * SPECNAMELEN;

const CONVERSION = /%(0?)(\d*)([diuxXosc%])/g;

/**
 * printf-style formatting of device names: `%d`/`%i`, `%u`, `%x`/`%X`, `%o`, `%s`, `%c`, `%%`,
 * with optional zero-padding and width (`%02d`). Numeric conversions take finite numbers, `%s`
 * a string or number, `%c` a character code or a string; a missing or wrongly typed argument is
 * EINVAL. A width or an output longer than 1020 characters is ENAMETOOLONG, found before the
 * string is built.
 */
export function formatDevName(fmt: string, args: readonly unknown[], syscall = 'make_dev'): string {
  if (typeof fmt !== 'string') throw badArg('name', 'a string', fmt, syscall);
  if (!Array.isArray(args)) throw badArg('format arguments', 'an array', args, syscall, fmt);
  if (fmt.indexOf('%') < 0) return fmt;
  let i = 0;
  let total = fmt.length;
  return fmt.replace(CONVERSION, (_m, zero: string, width: string, conv: string) => {
    if (conv === '%') return '%';
    const n = i++;
    const s = convert(conv, args[n], n, syscall, fmt);
    const w = width ? Number(width) : 0;
    const len = s.length >= w ? s.length : w;
    total += len;
    if (len > FORMAT_MAX || total > FORMAT_MAX) throw devfsError('ENAMETOOLONG', syscall, undefined, `formatted device name would exceed ${FORMAT_MAX} characters`);
    return s.length >= w ? s : (zero ? '0' : ' ').repeat(w - s.length) + s;
  });
}

function convert(conv: string, v: unknown, n: number, syscall: string, fmt: string): string {
  const what = `argument ${n + 1} of '${fmt.length > 40 ? fmt.slice(0, 40) + '…' : fmt}'`;
  if (conv === 's') {
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    throw badArg(what, 'a string or a number (%s)', v, syscall);
  }
  if (conv === 'c') {
    if (typeof v === 'string' && v.length > 0) return v.charAt(0);
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff) return String.fromCharCode(v);
    throw badArg(what, 'a character code 0..65535 or a non-empty string (%c)', v, syscall);
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badArg(what, `a finite number (%${conv})`, v, syscall);
  const t = Math.trunc(v);
  switch (conv) {
    case 'u': return String(t >>> 0);
    case 'x': return (t >>> 0).toString(16);
    case 'X': return (t >>> 0).toString(16).toUpperCase();
    case 'o': return (t >>> 0).toString(8);
    default: return String(t);
  }
}

/** Whitespace, '"', C0 and C1 control characters and DEL: never in a device name. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\s"\x00-\x1f\x7f-\x9f]/;

/** Bytes of `s` in UTF-8 (a lone surrogate counts 3, as its U+FFFD replacement). */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // the pair is 2 units and 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

/**
 * Validates and normalises a device name like FreeBSD's prep_devname: strips leading '/',
 * collapses '//'; empty names, a trailing '/', '.' or '..' components, whitespace, '"' and
 * control characters (C0, DEL, C1) are EINVAL; longer than SPECNAMELEN bytes of UTF-8 is
 * ENAMETOOLONG. Returns the normalised name.
 */
export function prepDevName(raw: string, syscall = 'make_dev'): string {
  if (typeof raw !== 'string') throw badArg('device name', 'a string', raw, syscall);
  let name = raw;
  if (name.charCodeAt(0) === 47 || name.indexOf('//') >= 0) name = name.replace(/^\/+/, '').replace(/\/{2,}/g, '/');
  if (name.length > SPECNAMELEN || (name.length * 3 > SPECNAMELEN && utf8Length(name) > SPECNAMELEN)) {
    throw devfsError('ENAMETOOLONG', syscall, name);
  }
  if (name.length === 0) throw devfsError('EINVAL', syscall, raw, 'empty device name');
  if (name.endsWith('/')) throw devfsError('EINVAL', syscall, raw, 'device name ends with /');
  if (FORBIDDEN.test(name)) {
    throw devfsError('EINVAL', syscall, raw, 'device name contains whitespace, a control character or "');
  }
  if (name.indexOf('.') >= 0) {
    for (const part of name.split('/')) {
      if (part === '.' || part === '..') throw devfsError('EINVAL', syscall, raw, `'${part}' component in device name`);
    }
  }
  return name;
}
