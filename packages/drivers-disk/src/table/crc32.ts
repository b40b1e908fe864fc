import * as zlib from 'zlib';

let table: Uint32Array | undefined;

/** Table-driven CRC-32 (IEEE 802.3, as UEFI uses) for Node versions without zlib.crc32. */
function crc32Js(buf: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < buf.length; i++) crc = table[(crc ^ buf[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const native = (zlib as unknown as { crc32?: (b: Uint8Array) => number }).crc32;

/** CRC-32 of `buf` as an unsigned 32-bit number (zlib's when Node has it, ≥ 20.15). */
export function crc32(buf: Uint8Array): number {
  return native ? native(buf) >>> 0 : crc32Js(buf);
}

/** The pure-JS implementation, exported so tests can check it against zlib's. */
export const crc32Fallback = crc32Js;
