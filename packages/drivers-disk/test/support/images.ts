/** Builds real partitioned images with sfdisk for the tests, and patches them like a corrupting bug would. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { crc32 } from '../../src/table/crc32';

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-disk-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Creates a `size`-byte sparse image and partitions it with the given sfdisk script. */
export function sfdiskImage(file: string, size: number, script: string): void {
  fs.writeFileSync(file, '');
  fs.truncateSync(file, size);
  execFileSync('sfdisk', ['-q', '--no-reread', '--no-tell-kernel', file], { input: script, stdio: ['pipe', 'ignore', 'pipe'] });
}

/** sfdisk's view of an image, as `sfdisk --json` prints it. */
export interface SfdiskTable {
  label: 'gpt' | 'dos';
  sectorsize: number;
  partitions: Array<{ node: string; start: number; size: number; type: string; name?: string; uuid?: string }>;
}

/** Runs `sfdisk --json` on the image. */
export function sfdiskJson(file: string): SfdiskTable {
  return JSON.parse(execFileSync('sfdisk', ['--json', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).partitiontable;
}

/** Partition number sfdisk gives a node ('/tmp/x.img5' → 5). */
export function nodeIndex(node: string): number {
  return Number(/(\d+)$/.exec(node)![1]);
}

/** The GPT of the three named partitions used across the tests (16 MiB image). */
export const GPT_SCRIPT = [
  'label: gpt',
  'start=2048, size=4096, name="boot"',
  'start=6144, size=8192, name="root fs"',
  'size=4096, name="data/x"',
  '',
].join('\n');

/** The MBR with one primary, an extended and two logicals (16 MiB image). */
export const MBR_SCRIPT = [
  'label: dos',
  'start=2048, size=4096, type=83',
  'start=6144, size=20000, type=5',
  'start=8192, size=4096, type=83',
  'start=14336, size=4096, type=82',
  '',
].join('\n');

/** Reads one 512-byte sector of a file. */
export function readSector(file: string, lba: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(512);
    fs.readSync(fd, buf, 0, 512, lba * 512);
    return buf;
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes one 512-byte sector of a file. */
export function writeSector(file: string, lba: number, buf: Buffer): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, buf, 0, 512, lba * 512);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Edits the GPT header at `lba` and, when `fixCrc`, stores a correct header CRC afterwards (so the
 * header itself verifies and only the edited field is wrong).
 */
export function patchGptHeader(file: string, lba: number, edit: (h: Buffer) => void, fixCrc = true): void {
  const h = readSector(file, lba);
  edit(h);
  if (fixCrc) {
    const size = h.readUInt32LE(12);
    h.writeUInt32LE(0, 16);
    h.writeUInt32LE(crc32(h.subarray(0, size)), 16);
  }
  writeSector(file, lba, h);
}

/** LBA of the backup GPT header (the primary's alternate LBA). */
export function backupLba(file: string): number {
  return Number(readSector(file, 1).readBigUInt64LE(32));
}
