/**
 * Test helper: a tiny user-space IPv4 host behind a tap handle. It answers ARP requests for its
 * address and ICMP echo requests, one frame read and one frame written at a time.
 */

/** Internet checksum (RFC 1071) of `buf`. */
export function inetChecksum(buf: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length & 1) sum += buf[buf.length - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

/** The reply to `frame` from the host (ip, mac), or undefined when it is not for that host. */
export function replyTo(frame: Buffer, ip: number[], mac: Buffer): Buffer | undefined {
  if (frame.length < 14) return undefined;
  const type = frame.readUInt16BE(12);
  const me = Buffer.from(ip);
  if (type === 0x0806 && frame.length >= 42 && frame.readUInt16BE(20) === 1 && frame.subarray(38, 42).equals(me)) {
    const r = Buffer.alloc(42);
    frame.copy(r, 0, 6, 12);                 // to the asker
    mac.copy(r, 6);
    r.writeUInt16BE(0x0806, 12);
    frame.copy(r, 14, 14, 20);               // htype, ptype, hlen, plen
    r.writeUInt16BE(2, 20);                  // reply
    mac.copy(r, 22);                         // sender = us
    me.copy(r, 28);
    frame.copy(r, 32, 22, 28);               // target = the asker
    frame.copy(r, 38, 28, 32);
    return r;
  }
  if (type === 0x0800 && frame.length >= 34) {
    const ihl = (frame[14] & 0x0f) * 4;
    const total = frame.readUInt16BE(16);
    if (frame[23] !== 1 || !frame.subarray(30, 34).equals(me)) return undefined;
    const icmp = 14 + ihl;
    if (frame[icmp] !== 8) return undefined;  // echo request only
    const r = Buffer.from(frame.subarray(0, 14 + total));
    frame.copy(r, 0, 6, 12);
    mac.copy(r, 6);
    frame.copy(r, 26, 30, 34);               // swap IPs
    frame.copy(r, 30, 26, 30);
    r[22] = 64;                              // TTL
    r.writeUInt16BE(0, 24);
    r.writeUInt16BE(inetChecksum(r.subarray(14, icmp)), 24);
    r[icmp] = 0;                             // echo reply
    r.writeUInt16BE(0, icmp + 2);
    r.writeUInt16BE(inetChecksum(r.subarray(icmp, 14 + total)), icmp + 2);
    return r;
  }
  return undefined;
}
