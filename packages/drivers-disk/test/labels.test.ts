import * as zlib from 'zlib';
import { assignLabels, sanitizeLabel } from '../src/table/labels';
import { crc32Fallback } from '../src/table/crc32';
import type { PartitionInfo } from '../src/table/types';

const part = (index: number, name: string): PartitionInfo => ({ index, start: index * 100, sectors: 10, type: 'x', name });

describe('GPT labels', () => {
  test('slashes, control characters, whitespace and quotes are replaced; . and .. are neutralised', () => {
    expect(sanitizeLabel('data/x')).toBe('data_x');
    expect(sanitizeLabel('a\u0001b\u007fc')).toBe('a_b_c');
    expect(sanitizeLabel('root fs')).toBe('root_fs');
    expect(sanitizeLabel('say"hi"')).toBe('say_hi_');
    expect(sanitizeLabel('..')).toBe('__');
    expect(sanitizeLabel('.')).toBe('_');
    expect(sanitizeLabel('päck-ü')).toBe('päck-ü');
    expect(sanitizeLabel('')).toBe('');
  });

  test('duplicates get ~2, ~3 in table order, deterministically; unnamed partitions get no label', () => {
    const parts = [part(3, 'swap'), part(1, 'swap'), part(2, ''), part(4, 'swap~2'), part(5, 'sw/ap')];
    const labels = assignLabels(parts);
    expect([...labels.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [1, 'swap'], [3, 'swap~2'], [4, 'swap~2~2'], [5, 'sw_ap'],
    ]);
    expect(assignLabels([...parts].reverse())).toEqual(labels);
  });
});

describe('crc32', () => {
  test('the fallback matches zlib on the UEFI check value and random data', () => {
    expect(crc32Fallback(Buffer.from('123456789'))).toBe(0xcbf43926);
    const data = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff));
    const z = (zlib as unknown as { crc32?: (b: Buffer) => number }).crc32;
    if (z) expect(crc32Fallback(data)).toBe(z(data) >>> 0);
  });
});
