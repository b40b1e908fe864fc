import * as fs from 'fs';
import * as path from 'path';
import { describeHost, needTool } from '../../../test-support/host';
import { Disk } from '../src/disk';
import { VnodeStore } from '../src/store/vnode';
import { MallocStore } from '../src/store/malloc';
import { scanDisk, touches } from '../src/table/scan';
import type { ScanResult } from '../src/table/types';
import {
  GPT_SCRIPT, MBR_SCRIPT, backupLba, nodeIndex, patchGptHeader, readSector, sfdiskImage, sfdiskJson, tempDir, writeSector,
} from './support/images';

const MiB = 1024 * 1024;

/** Scans an image file the way the md driver does (a vnode disk). */
async function scanFile(file: string): Promise<ScanResult> {
  const store = await VnodeStore.open(file, { sectorSize: 512 });
  try {
    return (await scanDisk(new Disk(store, 512, 'md9'))).result;
  } finally {
    await store.close();
  }
}

function partitionsOf(r: ScanResult) {
  if (!r.ok) throw new Error(`expected a table, got ${r.fault}: ${r.error.message}`);
  return r.partitions;
}

describeHost('partition tables of real sfdisk images', [needTool('sfdisk')], () => {
  let t: ReturnType<typeof tempDir>;
  let gpt: string;
  let mbr: string;
  beforeEach(() => {
    t = tempDir();
    gpt = path.join(t.dir, 'gpt.img');
    mbr = path.join(t.dir, 'mbr.img');
    sfdiskImage(gpt, 16 * MiB, GPT_SCRIPT);
    sfdiskImage(mbr, 16 * MiB, MBR_SCRIPT);
  });
  afterEach(() => t.cleanup());

  test('GPT: starts, sizes, names, type and unique GUIDs match sfdisk --json', async () => {
    const r = await scanFile(gpt);
    expect(r).toMatchObject({ ok: true, scheme: 'gpt', source: 'primary', warnings: [] });
    const ours = partitionsOf(r);
    const theirs = sfdiskJson(gpt);
    expect(theirs.label).toBe('gpt');
    expect(ours.map((p) => ({ index: p.index, start: p.start, size: p.sectors, type: p.type, uuid: p.uuid, name: p.name })))
      .toEqual(theirs.partitions.map((p) => ({ index: nodeIndex(p.node), start: p.start, size: p.size, type: p.type, uuid: p.uuid, name: p.name })));
    expect(ours.map((p) => p.name)).toEqual(['boot', 'root fs', 'data/x']);
  });

  test('MBR: primary, extended and two logicals numbered 1, 2, 5, 6 as sfdisk numbers them', async () => {
    const r = await scanFile(mbr);
    expect(r).toMatchObject({ ok: true, scheme: 'mbr', warnings: [] });
    const ours = partitionsOf(r);
    const theirs = sfdiskJson(mbr);
    expect(ours.map((p) => ({ index: p.index, start: p.start, size: p.sectors, type: p.type })))
      .toEqual(theirs.partitions.map((p) => ({ index: nodeIndex(p.node), start: p.start, size: p.size, type: p.type })));
    expect(ours.map((p) => p.index)).toEqual([1, 2, 5, 6]);
    expect(ours.find((p) => p.index === 2)?.extended).toBe(true);
  });

  test('GPT with a corrupt primary header CRC and a good backup → the backup is used', async () => {
    patchGptHeader(gpt, 1, (h) => { h[16] ^= 0xff; }, false);
    const r = await scanFile(gpt);
    expect(r).toMatchObject({ ok: true, scheme: 'gpt', source: 'backup' });
    expect(r.warnings.join('\n')).toMatch(/primary GPT unusable \(header CRC32/);
    expect(partitionsOf(r).map((p) => [p.index, p.start, p.sectors, p.name])).toEqual(
      sfdiskJson(gpt).partitions.map((p) => [nodeIndex(p.node), p.start, p.size, p.name]));
  });

  test('GPT with a corrupt primary entry array and a good backup → the backup is used', async () => {
    const s = readSector(gpt, 2);
    s[0x38] ^= 0x01; // first entry's name
    writeSector(gpt, 2, s);
    const r = await scanFile(gpt);
    expect(r).toMatchObject({ ok: true, source: 'backup' });
    expect(r.warnings.join('\n')).toMatch(/entry array CRC32/);
    expect(partitionsOf(r)[0].name).toBe('boot');
  });

  test('GPT with bad CRCs in both headers → typed error, no partitions', async () => {
    const alt = backupLba(gpt);
    patchGptHeader(gpt, 1, (h) => { h[16] ^= 0xff; }, false);
    patchGptHeader(gpt, alt, (h) => { h[16] ^= 0xff; }, false);
    const r = await scanFile(gpt);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.fault).toBe('bad-header-crc');
    expect(r.error).toMatchObject({ code: 'EINVAL', syscall: 'gpt' });
    expect(r.error.message).toMatch(/primary GPT: header CRC32 .*backup GPT: header CRC32/);
  });

  test('GPT with an absurd entry count (CRC-valid headers) → absurd-entry-count', async () => {
    const alt = backupLba(gpt);
    for (const lba of [1, alt]) patchGptHeader(gpt, lba, (h) => h.writeUInt32LE(0x7fffffff, 80));
    const r = await scanFile(gpt);
    expect(r).toMatchObject({ ok: false, fault: 'absurd-entry-count' });
    if (!r.ok) expect(r.error.message).toMatch(/2147483647 entries/);
  });

  test('GPT whose entry arrays lie past the end → entries-past-end', async () => {
    const alt = backupLba(gpt);
    for (const lba of [1, alt]) patchGptHeader(gpt, lba, (h) => h.writeBigUInt64LE(BigInt(alt - 10), 72));
    const r = await scanFile(gpt);
    expect(r).toMatchObject({ ok: false, fault: 'entries-past-end' });
  });

  test('a truncated GPT image → truncated, not a crash; a 100-byte image has no table', async () => {
    fs.truncateSync(gpt, 8 * MiB);
    const r = await scanFile(gpt);
    expect(r).toMatchObject({ ok: false, scheme: 'gpt', fault: 'truncated' });
    if (!r.ok) expect(r.error.message).toMatch(/describes a medium of at least 32768 sectors; this one has 16384/);
    fs.truncateSync(gpt, 100);
    expect(await scanFile(gpt)).toMatchObject({ ok: true, scheme: 'none', partitions: [] });
    sfdiskImage(gpt, 16 * MiB, GPT_SCRIPT);
    fs.truncateSync(gpt, 1024); // protective MBR + primary header, nothing else
    expect(await scanFile(gpt)).toMatchObject({ ok: false, fault: 'truncated' });
  });

  test('a truncated MBR image keeps the partitions that fit and warns about the rest', async () => {
    fs.truncateSync(mbr, 6 * MiB); // 12288 sectors: s1 fits, the extended and s6 do not
    const r = await scanFile(mbr);
    expect(r).toMatchObject({ ok: true, scheme: 'mbr' });
    expect(partitionsOf(r).map((p) => p.index)).toEqual([1, 5]);
    expect(r.warnings.join('\n')).toMatch(/partition 2 .* extends beyond/);
    expect(r.warnings.join('\n')).toMatch(/EBR at sector 12288 lies outside/);
  });

  test('an EBR chain that loops back on itself is cut with a warning', async () => {
    // Second EBR (at 14336 - 2048 = 12288) links back to the first EBR (offset 0 in the extended).
    const ext = 6144;
    const firstEbr = readSector(mbr, ext);
    const nextRel = firstEbr.readUInt32LE(0x1be + 16 + 8);
    const second = readSector(mbr, ext + nextRel);
    second[0x1be + 16 + 4] = 0x05;
    second.writeUInt32LE(0, 0x1be + 16 + 8);
    second.writeUInt32LE(100, 0x1be + 16 + 12);
    writeSector(mbr, ext + nextRel, second);
    const r = await scanFile(mbr);
    expect(partitionsOf(r).map((p) => p.index)).toEqual([1, 2, 5, 6]);
    expect(r.warnings.join('\n')).toMatch(/loops back to sector 6144/);
  });

  test('an extended entry starting at sector 0 is not followed: no phantom logical, as sfdisk and partx', async () => {
    // Slot 2 (the extended) is moved to start at sector 0: read as an EBR, the MBR itself would
    // yield a "logical" with slot 1's extent.
    const mbr0 = readSector(mbr, 0);
    mbr0.writeUInt32LE(0, 0x1be + 16 + 8);
    writeSector(mbr, 0, mbr0);
    const theirs = sfdiskJson(mbr).partitions;
    expect(theirs.map((p) => [nodeIndex(p.node), p.start, p.size])).toEqual([[1, 2048, 4096], [2, 0, 20000]]);
    const r = await scanFile(mbr);
    const ours = partitionsOf(r);
    // Every partition sfdisk lists except the one overlapping the MBR itself; no logical at all.
    expect(ours.map((p) => [p.index, p.start, p.sectors])).toEqual(
      theirs.filter((p) => p.start >= 1).map((p) => [nodeIndex(p.node), p.start, p.size]));
    expect(r.warnings.join('\n')).toMatch(/extended partition starts at sector 0, inside the MBR/);
  });

  test('the watch list covers the MBR, every EBR and both GPT areas', async () => {
    const store = await VnodeStore.open(mbr);
    const disk = new Disk(store);
    const { watch } = await scanDisk(disk);
    await store.close();
    const ebrs = [6144, 6144 + readSector(mbr, 6144).readUInt32LE(0x1be + 16 + 8)];
    for (const lba of [0, ...ebrs, 1, 33, 32767]) expect(touches(watch, 512, lba * 512, 512)).toBe(true);
    expect(touches(watch, 512, 2048 * 512, 4096)).toBe(false);
  });
});

describe('scanning without a table', () => {
  test('a blank disk and a FAT-like boot sector (signature, bad status bytes) have no table', async () => {
    const d = new Disk(new MallocStore(1 * MiB));
    expect((await scanDisk(d)).result).toMatchObject({ ok: true, scheme: 'none' });
    const s = Buffer.alloc(512, 0x90);
    s[510] = 0x55; s[511] = 0xaa;
    await d.write(s, 0);
    expect((await scanDisk(d)).result).toMatchObject({ ok: true, scheme: 'none' });
  });

  test('an I/O failure while scanning becomes fault io, not an exception', async () => {
    const store = new MallocStore(1 * MiB);
    const d = new Disk(store, 512, 'md3');
    await store.close();
    const { result } = await scanDisk(d);
    expect(result).toMatchObject({ ok: false, fault: 'io', error: { code: 'ENXIO' } });
  });
});
