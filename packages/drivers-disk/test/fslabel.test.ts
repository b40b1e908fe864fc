/** Superblock label reader: real mkfs.ext4 superblocks, FAT boot sectors, and hostile bytes (bounds). */
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeHost, needTool } from '../../../test-support/host';
import { FS_PROBE_BYTES, readFsLabel } from '../src/table/fslabel';

function fat(label: string, fat32: boolean): Buffer {
  const b = Buffer.alloc(512);
  b.writeUInt16LE(512, 11); b[13] = 8; b.writeUInt16LE(32, 14); b[16] = 2;
  b.writeUInt16LE(fat32 ? 0 : 8, 22);
  const [sig, at, type] = fat32 ? [0x42, 0x47, 0x52] : [0x26, 0x2b, 0x36];
  b[sig] = 0x29; b.write(label.padEnd(11), at, 'latin1'); b.write(fat32 ? 'FAT32   ' : 'FAT16   ', type, 'latin1');
  b[510] = 0x55; b[511] = 0xaa;
  return b;
}

describe('readFsLabel', () => {
  test('FAT12/16 and FAT32 labels; NO NAME and a missing signature give no label', () => {
    expect(readFsLabel(fat('BOOT', false))).toEqual({ kind: 'msdosfs', label: 'BOOT' });
    expect(readFsLabel(fat('EFI SYSTEM', true))).toEqual({ kind: 'msdosfs', label: 'EFI SYSTEM' });
    expect(readFsLabel(fat('NO NAME', true))).toEqual({ kind: 'msdosfs' });
    const noSig = fat('X', false);
    noSig[511] = 0;
    expect(readFsLabel(noSig)).toBeUndefined();
    const badGeometry = fat('X', false);
    badGeometry[13] = 3; // sectors per cluster not a power of two
    expect(readFsLabel(badGeometry)).toBeUndefined();
  });

  test('short and random buffers never throw and never read past the end', () => {
    for (let n = 0; n <= FS_PROBE_BYTES; n += 37) {
      expect(() => readFsLabel(Buffer.alloc(n))).not.toThrow();
      expect(() => readFsLabel(crypto.randomBytes(n))).not.toThrow();
    }
    const sb = Buffer.alloc(FS_PROBE_BYTES);
    sb.writeUInt16LE(0xef53, 1024 + 56);
    sb.writeUInt32LE(10, 1024 + 4);
    expect(readFsLabel(sb.subarray(0, 1024 + 100))).toBeUndefined(); // cut before the label: nothing
    expect(readFsLabel(sb)).toEqual({ kind: 'ext2fs' });
    sb.writeUInt32LE(99, 1024 + 24); // absurd block size
    expect(readFsLabel(sb)).toBeUndefined();
  });
});

describeHost('readFsLabel on real ext4', [needTool('mkfs.ext4')], () => {
  test('label and UUID as mkfs.ext4 wrote them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fslabel-'));
    try {
      const img = path.join(dir, 'e.img');
      fs.writeFileSync(img, Buffer.alloc(4 * 1024 * 1024));
      const uuid = 'a1b2c3d4-0000-4000-8000-0123456789ab';
      execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'sixteen-chars-ab', '-U', uuid, img]);
      const head = Buffer.alloc(FS_PROBE_BYTES);
      const fd = fs.openSync(img, 'r');
      fs.readSync(fd, head, 0, head.length, 0);
      fs.closeSync(fd);
      expect(readFsLabel(head)).toEqual({ kind: 'ext2fs', label: 'sixteen-chars-ab', uuid });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
