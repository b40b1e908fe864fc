/** A kernel, a mount and an md driver for the driver tests, with every event recorded. */
import * as fs from 'fs';
import { createKernel, DevEvent, DevFile, Kernel, Mount } from '@devfs/core';
import { MdDriver } from '../../src';

/** Test fixture: kernel + mount + md driver + recorded events. */
export interface MdFixture {
  kernel: Kernel;
  mount: Mount;
  md: MdDriver;
  events: DevEvent[];
  /** NOTIFY events of the md driver, after delivering everything queued. */
  notices(event?: string): Promise<DevEvent[]>;
  close(): Promise<void>;
}

/** Builds the fixture. */
export function mdFixture(): MdFixture {
  const kernel = createKernel({ memDevices: false });
  const mount = kernel.mount({ name: 'test' });
  const md = new MdDriver(kernel);
  md.attach();
  const events: DevEvent[] = [];
  const off = kernel.events.on((e) => { events.push(e); });
  return {
    kernel, mount, md, events,
    async notices(event?: string) {
      await kernel.events.flush();
      return events.filter((e) => e.type === 'NOTIFY' && e.data?.driver === 'md' && (!event || e.data?.event === event));
    },
    async close() {
      await md.detach();
      off();
      mount.unmount();
    },
  };
}

/** Copies a file into an open disk node at `offset` in 1 MiB writes. */
export async function copyIn(file: string, dst: DevFile, offset = 0): Promise<number> {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1024 * 1024);
    let pos = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) return pos;
      const w = await dst.write(n === buf.length ? buf : buf.subarray(0, n), offset + pos);
      if (w !== n) throw new Error(`short write ${w}/${n}`);
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads `length` bytes of an open disk node from `offset` into a new file, 1 MiB at a time. */
export async function copyOut(src: DevFile, file: string, length: number, offset = 0): Promise<void> {
  const fd = fs.openSync(file, 'w');
  try {
    const buf = Buffer.alloc(1024 * 1024);
    for (let pos = 0; pos < length;) {
      const n = await src.read(buf.subarray(0, Math.min(buf.length, length - pos)), offset + pos);
      if (n === 0) throw new Error(`early end at ${pos}`);
      fs.writeSync(fd, buf, 0, n, pos);
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}
