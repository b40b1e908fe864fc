import type { DevfsError } from '@devfs/core';

/** Partitioning schemes the scanner understands. */
export type Scheme = 'mbr' | 'gpt';

/** One partition as its table describes it. */
export interface PartitionInfo {
  /** K as the table numbers it: GPT entry slot + 1; MBR primaries 1–4, logicals 5+. */
  index: number;
  /** First sector (LBA). */
  start: number;
  /** Length in sectors. */
  sectors: number;
  /** MBR: the type byte in hex ('83'); GPT: the type GUID, upper case. */
  type: string;
  /** GPT partition name (UTF-16LE on the media), as stored. */
  name?: string;
  /** GPT unique partition GUID, upper case. */
  uuid?: string;
  /** MBR extended (container) partition. */
  extended?: boolean;
}

/** Why a table could not be used. */
export type TableFault =
  | 'truncated'            // the medium is shorter than the table says
  | 'bad-header'           // no signature, impossible field values
  | 'bad-header-crc'       // header CRC32 mismatch
  | 'bad-entries-crc'      // partition entry array CRC32 mismatch
  | 'absurd-entry-count'   // entry count × size beyond any sane table
  | 'entries-past-end'     // the entry array lies beyond the last sector
  | 'io';                  // the store failed while reading the table

/** Outcome of scanning a disk: a table, no table, or a corrupt table with a typed reason. */
export type ScanResult =
  | { ok: true; scheme: 'none'; partitions: PartitionInfo[]; warnings: string[] }
  | { ok: true; scheme: Scheme; partitions: PartitionInfo[]; warnings: string[]; source?: 'primary' | 'backup' }
  | { ok: false; scheme: Scheme; fault: TableFault; error: DevfsError; warnings: string[] };

/** Sector-level read access to a medium, as the table readers need it. */
export interface SectorSource {
  readonly sectorSize: number;
  /** Number of whole sectors on the medium. */
  readonly sectors: number;
  /** Reads `count` sectors from `lba` (the caller keeps lba + count <= sectors). */
  readSectors(lba: number, count: number): Promise<Buffer>;
}
