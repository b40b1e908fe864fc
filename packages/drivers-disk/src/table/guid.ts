/** Formats the 16-byte mixed-endian GUID at `off` as UEFI writes it (upper case). */
export function guidAt(buf: Buffer, off: number): string {
  const hex = (b: Buffer) => b.toString('hex');
  const le = (start: number, len: number) => hex(Buffer.from(buf.subarray(off + start, off + start + len)).reverse());
  return [
    le(0, 4), le(4, 2), le(6, 2),
    hex(buf.subarray(off + 8, off + 10)), hex(buf.subarray(off + 10, off + 16)),
  ].join('-').toUpperCase();
}

/** True when the 16 bytes at `off` are all zero (an unused GPT entry's type). */
export function guidIsZero(buf: Buffer, off: number): boolean {
  for (let i = 0; i < 16; i++) if (buf[off + i] !== 0) return false;
  return true;
}
