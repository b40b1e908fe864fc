/** The FUSE message codec and node table, against the byte layouts of <linux/fuse.h>. */
import { attrOut, entryOut, outHeader, packDirents, parseRequest, putU64, u64, DT_REG } from '../src/proto/codec';
import { ATTR, ENTRY_OUT, IN_HEADER, Op } from '../src/proto/layout';
import { NodeTable, ROOT_ID, childPath, splitLast } from '../src/nodes';
import { Callers } from '../src/callers';

function request(opcode: number, unique: number, nodeid: number, body: Buffer): Buffer {
  const b = Buffer.alloc(IN_HEADER.size + body.length);
  b.writeUInt32LE(b.length, 0);
  b.writeUInt32LE(opcode, 4);
  b.writeBigUInt64LE(BigInt(unique), 8);
  b.writeBigUInt64LE(BigInt(nodeid), 16);
  b.writeUInt32LE(1000, 24);
  b.writeUInt32LE(100, 28);
  b.writeUInt32LE(4242, 32);
  body.copy(b, IN_HEADER.size);
  return b;
}

describe('codec', () => {
  it('parses struct fuse_in_header and keeps the body, refusing short or overlong lengths', () => {
    const r = parseRequest(request(Op.LOOKUP, 2 ** 40 + 3, 7, Buffer.from('zero\0')))!;
    expect(r).toMatchObject({ opcode: Op.LOOKUP, unique: 2 ** 40 + 3, nodeid: 7, uid: 1000, gid: 100, pid: 4242 });
    expect(r.body.toString()).toBe('zero\0');
    expect(parseRequest(Buffer.alloc(10))).toBeUndefined();
    const bad = request(Op.GETATTR, 1, 1, Buffer.alloc(16));
    bad.writeUInt32LE(bad.length + 1, 0);
    expect(parseRequest(bad)).toBeUndefined();
  });

  it('u64 fields round-trip below 2^53 without BigInt', () => {
    const b = Buffer.alloc(8);
    for (const v of [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1]) {
      putU64(b, v, 0);
      expect(b.readBigUInt64LE(0)).toBe(BigInt(v));
      expect(u64(b, 0)).toBe(v);
    }
  });

  it('builds fuse_out_header, fuse_entry_out and fuse_attr_out at the header\'s offsets', () => {
    const h = outHeader(99, -2, 0);
    expect([h.readUInt32LE(0), h.readInt32LE(4), Number(h.readBigUInt64LE(8))]).toEqual([16, -2, 99]);
    const attr = { ino: 5, size: 4096, mode: 0o100644, nlink: 1, uid: 7, gid: 8, atimeMs: 1500, mtimeMs: 2250, ctimeMs: 3000 };
    const e = entryOut(12, attr, 0, 1.5);
    expect(e.length).toBe(128);
    expect(Number(e.readBigUInt64LE(ENTRY_OUT.nodeid))).toBe(12);
    expect(Number(e.readBigUInt64LE(ENTRY_OUT.entryValid))).toBe(0);
    expect(Number(e.readBigUInt64LE(ENTRY_OUT.attrValid))).toBe(1);
    expect(e.readUInt32LE(ENTRY_OUT.attrValidNsec)).toBe(500_000_000);
    const a = ENTRY_OUT.attr;
    expect(Number(e.readBigUInt64LE(a + ATTR.fsize))).toBe(4096);
    expect(Number(e.readBigUInt64LE(a + ATTR.blocks))).toBe(8);
    expect(Number(e.readBigUInt64LE(a + ATTR.mtime))).toBe(2);
    expect(e.readUInt32LE(a + ATTR.mtimensec)).toBe(250_000_000);
    expect([e.readUInt32LE(a + ATTR.mode), e.readUInt32LE(a + ATTR.uid), e.readUInt32LE(a + ATTR.gid)]).toEqual([0o100644, 7, 8]);
    expect(attrOut(attr, 0).length).toBe(104);
  });

  it('packs fuse_dirent records padded to 8 bytes, stopping at the kernel\'s size, resumable by offset', () => {
    const entries = ['a', 'bbbbbbbbb', 'c'].map((name, i) => ({ name, ino: i + 3, type: DT_REG }));
    const all = packDirents(entries, 0, 4096);
    expect(all.length).toBe(32 + 40 + 32);
    expect(Number(all.readBigUInt64LE(32 + 8))).toBe(2); // off of the second record: the next index
    expect(all.toString('utf8', 32 + 24, 32 + 33)).toBe('bbbbbbbbb');
    const first = packDirents(entries, 0, 40);
    expect(first.length).toBe(32);
    expect(packDirents(entries, 2, 4096).toString('utf8', 24, 25)).toBe('c');
  });
});

describe('node table', () => {
  it('gives each view its own node for a name, counts lookups, and frees on FORGET', () => {
    const t = new NodeTable();
    const a = t.remember('root', 'md0', 'file');
    const b = t.remember('jail', 'md0', 'file');
    expect(a.id).not.toBe(b.id);
    expect(t.remember('root', 'md0', 'file')).toBe(a);
    expect(t.named('md0').map((n) => n.view).sort()).toEqual(['jail', 'root']);
    t.forget(a.id, 1);
    expect(t.get(a.id)).toBe(a);
    t.forget(a.id, 1);
    expect(t.get(a.id)).toBeUndefined();
    expect(t.named('md0')).toEqual([b]);
    // a kind change is a new inode; the root is never forgotten
    const c = t.remember('jail', 'md0', 'dir');
    expect(c.id).not.toBe(b.id);
    t.forget(ROOT_ID, 10);
    expect(t.get(ROOT_ID)).toBeDefined();
    expect(childPath('', 'a')).toBe('a');
    expect(splitLast('gpt/boot')).toEqual(['gpt', 'boot']);
  });
});

describe('callers', () => {
  it('reads supplementary groups from /proc/<pid>/status; pid 0 gets only its gid', () => {
    const c = new Callers();
    const me = c.credOf(process.getuid!(), process.getgid!(), process.pid);
    expect(me.groups![0]).toBe(process.getgid!());
    expect(new Set(me.groups)).toEqual(new Set([process.getgid!(), ...process.getgroups!()]));
    expect(c.credOf(5, 6, 0)).toEqual({ uid: 5, gid: 6, groups: [6] });
  });
});
