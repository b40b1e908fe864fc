/**
 * Fuzz test of the partition-table readers (issue 14), with fast-check: valid MBR and GPT images
 * made by sfdisk are mutated — random bytes of the table sectors, and targeted fields (MBR/EBR
 * entries' type/start/size, GPT header LBAs, counts, sizes, CRCs, entries' LBAs and types), with
 * the CRCs recomputed or not — and then
 *  - scanned in memory: nothing throws, a failure is a coded error (Node's shape, a known fault),
 *    and no partition lies outside the disk;
 *  - written into the image of a live md disk and rescanned: no exception escapes, every child
 *    lies on the disk, and a rescan that fails leaves the disk's children (nodes and info) as they
 *    were.
 * Bounded by time (~30 s in all); a failure prints fast-check's seed and shrunk mutation list.
 */
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { describeHost, needTool } from '../../../test-support/host';
import { crc32 } from '../src/table/crc32';
import { scanSource } from '../src/table/scan';
import type { ScanResult, SectorSource } from '../src/table/types';
import { MdFixture, mdFixture } from './support/md';
import { GPT_SCRIPT, MBR_SCRIPT, sfdiskImage, tempDir } from './support/images';

const SS = 512;
const SIZE = 16 * 1024 * 1024;
const SECTORS = SIZE / SS;
const FAULTS = ['truncated', 'bad-header', 'bad-header-crc', 'bad-entries-crc', 'absurd-entry-count', 'entries-past-end', 'io'];

/** An image as its non-zero sectors (the tables; the rest of a fresh sfdisk image is zeros). */
type Sectors = Map<number, Buffer>;

function tableSectors(file: string): Sectors {
  const all = fs.readFileSync(file);
  const out: Sectors = new Map();
  for (let lba = 0; lba < SECTORS; lba++) {
    const s = all.subarray(lba * SS, (lba + 1) * SS);
    if (s.some((b) => b !== 0)) out.set(lba, Buffer.from(s));
  }
  return out;
}

/** The sector at `lba` of `img` to edit (copied in on first use; zeros if absent). */
function sectorOf(img: Sectors, lba: number): Buffer {
  let s = img.get(lba);
  if (!s) img.set(lba, (s = Buffer.alloc(SS)));
  return s;
}

/** `count` bytes from `lba` on. */
function bytesAt(img: Sectors, lba: number, count: number): Buffer {
  const out = Buffer.alloc(count);
  for (let i = 0; i * SS < count; i++) img.get(lba + i)?.copy(out, i * SS, 0, Math.min(SS, count - i * SS));
  return out;
}

// ---- mutations ------------------------------------------------------------------------------

/** A 32-bit value likely to hit an edge: 0, 1, the table areas, the disk's last sectors, the top. */
const u32 = fc.oneof(
  fc.constantFrom(0, 1, 2, 33, 34, 2047, 2048, 6144, SECTORS - 34, SECTORS - 1, SECTORS, SECTORS + 1, 0x7fffffff, 0xffffffff),
  fc.integer({ min: 0, max: 0xffffffff }),
);
/** The same for 64-bit LBAs, plus values past 2^53. */
const u64 = fc.oneof(u32.map((v) => BigInt(v)), fc.constantFrom(2n ** 53n, 2n ** 63n, 2n ** 64n - 1n), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));

const GPT_HEADER_FIELDS = {
  headerSize: { off: 12, bits: 32 }, myLba: { off: 24, bits: 64 }, alternateLba: { off: 32, bits: 64 },
  firstUsable: { off: 40, bits: 64 }, lastUsable: { off: 48, bits: 64 }, entriesLba: { off: 72, bits: 64 },
  entryCount: { off: 80, bits: 32 }, entrySize: { off: 84, bits: 32 }, entriesCrc: { off: 88, bits: 32 },
} as const;

type Mutation =
  | { kind: 'byte'; pick: number; off: number; value: number }
  | { kind: 'mbr'; pick: number; slot: number; field: 'status' | 'type' | 'start' | 'sectors'; value: number }
  | { kind: 'gpt-header'; backup: boolean; field: keyof typeof GPT_HEADER_FIELDS; value: bigint }
  | { kind: 'gpt-entry'; backup: boolean; index: number; field: 'first' | 'last' | 'type'; value: bigint };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('byte' as const), pick: fc.nat(), off: fc.integer({ min: 0, max: SS - 1 }), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('mbr' as const), pick: fc.nat(), slot: fc.integer({ min: 0, max: 3 }),
    field: fc.constantFrom('status' as const, 'type' as const, 'start' as const, 'sectors' as const),
    value: fc.oneof(u32, fc.constantFrom(0x05, 0x0f, 0x85, 0xee, 0x83, 0x80)),
  }),
  fc.record({
    kind: fc.constant('gpt-header' as const), backup: fc.boolean(),
    field: fc.constantFrom(...(Object.keys(GPT_HEADER_FIELDS) as Array<keyof typeof GPT_HEADER_FIELDS>)), value: u64,
  }),
  fc.record({
    kind: fc.constant('gpt-entry' as const), backup: fc.boolean(), index: fc.integer({ min: 0, max: 127 }),
    field: fc.constantFrom('first' as const, 'last' as const, 'type' as const), value: u64,
  }),
);

/** A case: mutations applied in order, then (maybe) every GPT CRC recomputed so fields get past it. */
const fuzzCase = fc.record({ base: fc.constantFrom('mbr' as const, 'gpt' as const), mutations: fc.array(mutation, { minLength: 1, maxLength: 6 }), fixCrcs: fc.boolean() });
type FuzzCase = typeof fuzzCase extends fc.Arbitrary<infer T> ? T : never;

/** LBA of the GPT header a mutation aims at (the backup: the primary's alternate, else the last sector). */
function headerLba(img: Sectors, backup: boolean): number {
  if (!backup) return 1;
  const alt = img.get(1)?.readBigUInt64LE(32) ?? 0n;
  return alt > 1n && alt < BigInt(SECTORS) ? Number(alt) : SECTORS - 1;
}

function writeField(buf: Buffer, off: number, bits: 32 | 64, value: bigint): void {
  if (bits === 32) buf.writeUInt32LE(Number(value & 0xffffffffn), off);
  else buf.writeBigUInt64LE(value & (2n ** 64n - 1n), off);
}

function apply(img: Sectors, m: Mutation): void {
  const picks = [...img.keys()].sort((a, b) => a - b);
  switch (m.kind) {
    case 'byte': sectorOf(img, picks[m.pick % picks.length])[m.off] = m.value; return;
    case 'mbr': {
      const boot = picks.filter((l) => img.get(l)![510] === 0x55 && img.get(l)![511] === 0xaa);
      if (boot.length === 0) return;
      const s = sectorOf(img, boot[m.pick % boot.length]);
      const o = 0x1be + 16 * m.slot;
      if (m.field === 'status') s[o] = m.value & 0xff;
      else if (m.field === 'type') s[o + 4] = m.value & 0xff;
      else s.writeUInt32LE(m.value >>> 0, o + (m.field === 'start' ? 8 : 12));
      return;
    }
    case 'gpt-header': {
      const f = GPT_HEADER_FIELDS[m.field];
      writeField(sectorOf(img, headerLba(img, m.backup)), f.off, f.bits, m.value);
      return;
    }
    case 'gpt-entry': {
      const h = img.get(headerLba(img, m.backup));
      if (!h) return;
      const size = h.readUInt32LE(84);
      const at = Number(h.readBigUInt64LE(72) & 0xffffffffn);
      if (size < 128 || size > 4096 || size % 128 !== 0 || at < 1 || at >= SECTORS) return; // fields stay inside one sector
      const byte = m.index * size + (m.field === 'first' ? 32 : m.field === 'last' ? 40 : 0);
      const lba = at + Math.floor(byte / SS);
      if (lba >= SECTORS) return;
      writeField(sectorOf(img, lba), byte % SS, 64, m.value);
      if (m.field === 'type') writeField(sectorOf(img, lba), (byte % SS) + 8, 64, m.value ^ 0x5a5an);
    }
  }
}

/** Recomputes both GPT headers' entry-array and header CRCs where their fields allow it. */
function fixCrcs(img: Sectors): void {
  for (const lba of new Set([1, headerLba(img, true)])) {
    const h = img.get(lba);
    if (!h || h.toString('latin1', 0, 8) !== 'EFI PART') continue;
    const bytes = h.readUInt32LE(80) * h.readUInt32LE(84);
    const at = h.readBigUInt64LE(72);
    if (bytes > 0 && bytes <= 1024 * 1024 && at >= 1n && at < BigInt(SECTORS)) h.writeUInt32LE(crc32(bytesAt(img, Number(at), bytes)), 88);
    const size = h.readUInt32LE(12);
    if (size < 92 || size > SS) continue;
    h.writeUInt32LE(0, 16);
    h.writeUInt32LE(crc32(h.subarray(0, size)), 16);
  }
}

function mutate(base: Sectors, c: FuzzCase): Sectors {
  const img: Sectors = new Map([...base].map(([l, s]) => [l, Buffer.from(s)]));
  for (const m of c.mutations) apply(img, m);
  if (c.fixCrcs) fixCrcs(img);
  return img;
}

// ---- properties -----------------------------------------------------------------------------

function memorySource(img: Sectors): SectorSource {
  return { sectorSize: SS, sectors: SECTORS, readSectors: async (lba, count) => bytesAt(img, lba, count * SS) };
}

/** What every scan result must satisfy, failed or not. */
function checkResult(r: ScanResult): void {
  if (!r.ok) {
    expect(FAULTS).toContain(r.fault);
    expect(r.error).toMatchObject({ code: expect.stringMatching(/^E[A-Z]+$/), errno: expect.any(Number) });
    expect(r.error.errno).toBeLessThan(0);
    expect(r.error.message.startsWith(`${r.error.code}: `)).toBe(true);
    return;
  }
  for (const p of r.partitions) {
    expect(Number.isSafeInteger(p.start) && Number.isSafeInteger(p.sectors)).toBe(true);
    expect(p.start).toBeGreaterThanOrEqual(0);
    expect(p.sectors).toBeGreaterThanOrEqual(1);
    expect(p.start + p.sectors).toBeLessThanOrEqual(SECTORS);
  }
}

/** Writes the image's sectors into `file` (a fresh sparse file of SIZE bytes). */
function writeImage(file: string, img: Sectors): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.ftruncateSync(fd, SIZE);
    for (const [lba, s] of img) fs.writeSync(fd, s, 0, SS, lba * SS);
  } finally {
    fs.closeSync(fd);
  }
}

describeHost('partition tables under mutation (fast-check)', [needTool('sfdisk')], () => {
  const bases: Record<'mbr' | 'gpt', Sectors> = { mbr: new Map(), gpt: new Map() };
  let t: ReturnType<typeof tempDir>;
  beforeAll(() => {
    t = tempDir();
    for (const [name, script] of [['mbr', MBR_SCRIPT], ['gpt', GPT_SCRIPT]] as const) {
      const file = path.join(t.dir, `${name}.img`);
      sfdiskImage(file, SIZE, script);
      bases[name] = tableSectors(file);
    }
  });
  afterAll(() => t?.cleanup());

  test('scanning a mutated table: nothing throws, a failure is a coded error, no partition lies off the disk', async () => {
    const seen = { runs: 0, failed: 0 };
    await fc.assert(fc.asyncProperty(fuzzCase, async (c) => {
      const r = await scanSource(memorySource(mutate(bases[c.base], c)));
      seen.runs++;
      if (!r.ok) seen.failed++;
      checkResult(r);
    }), { numRuns: 1_000_000, interruptAfterTimeLimit: 12000, markInterruptAsFailure: false });
    // eslint-disable-next-line no-console
    console.log(`fuzz-tables: ${seen.runs} scans, ${seen.failed} failed with a coded error`);
    expect(seen.failed).toBeGreaterThan(0);
  }, 30000);

  describe('on a live md disk', () => {
    let f: MdFixture;
    beforeEach(() => { f = mdFixture(); });
    afterEach(() => f.close());

    test('rescanning a mutated table: no exception escapes, children on the disk, a failed rescan changes no child', async () => {
      const file = path.join(t.dir, 'live.img');
      const seen = { runs: 0, failed: 0 };
      await fc.assert(fc.asyncProperty(fuzzCase, async (c) => {
        seen.runs++;
        writeImage(file, bases[c.base]);
        const name = await f.md.create({ type: 'vnode', file });
        try {
          const before = f.md.info(name).partitions;
          const nodes = f.mount.readdir('').map((d) => d.name).sort();
          expect(before.length).toBeGreaterThan(0);
          // The mutation lands behind the driver's back (straight into the image), then a rescan.
          writeImage(file, mutate(bases[c.base], c));
          const r = await f.md.rescan(name);
          checkResult(r);
          const info = f.md.info(name);
          if (!r.ok) {
            seen.failed++;
            expect(info.partitions).toEqual(before);
            expect(f.mount.readdir('').map((d) => d.name).sort()).toEqual(nodes);
          }
          for (const p of info.partitions) {
            expect(p.start + p.sectors).toBeLessThanOrEqual(SECTORS);
            expect(f.mount.stat(p.name).isCharacterDevice()).toBe(true);
          }
        } finally {
          await f.md.destroy(name, { force: true });
        }
      }), { numRuns: 1_000_000, interruptAfterTimeLimit: 14000, markInterruptAsFailure: false });
      // eslint-disable-next-line no-console
      console.log(`fuzz-tables: ${seen.runs} md rescans, ${seen.failed} failed (children kept)`);
      expect(seen.runs).toBeGreaterThan(50);
      expect(seen.failed).toBeGreaterThan(0);
    }, 40000);
  });
});
