/**
 * The action rules through the real kernel and mounts (the kernel's EventActionHost), not a
 * recording host: PERMISSIONS, SYMLINK, COPY on a real chmod, RESTORE into a new kernel.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createKernel, DevEvent } from '../src';

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-events-kernel-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('rules act on real mounts, and chmod survives a "restart" through the state file', async () => {
  const file = path.join(dir, 'perms.json');
  const config = [
    'REGISTER  ^null$        PERMISSIONS 0.5 0640',
    'REGISTER  ^(u?random)$  SYMLINK $devname \\1.compat',
    `CHANGE    .*            COPY ${file}`,
    `REGISTER  .*            RESTORE ${file}`,
  ].join('\n');
  const errors: string[] = [];

  const k1 = createKernel();
  // The memory devices were registered inside createKernel: their REGISTER events are still
  // queued, and rules loaded now apply to them at delivery.
  k1.events.setErrorHandler((err, ctx) => errors.push(`${ctx.rule}: ${err.message}`));
  k1.events.loadConfig(config, 'k1.conf');
  k1.events.on((e: DevEvent) => { if (e.type === 'NOTIFY' && e.data?.overrun) errors.push('overrun'); });
  const m1 = k1.mount({ name: 'j1' });
  await k1.events.flush();
  expect(m1.stat('null').mode & 0o7777).toBe(0o640);
  expect(m1.stat('null').gid).toBe(5);
  expect(m1.readlink('urandom.compat')).toBe('urandom');
  expect(m1.stat('random.compat').rdev).toBe(m1.stat('random').rdev);
  m1.chmod('zero', 0o604);
  await k1.events.flush();
  expect(JSON.parse(fs.readFileSync(file, 'utf8')).mounts.j1.zero).toMatchObject({ mode: 0o604 });

  const k2 = createKernel();
  k2.events.setErrorHandler((err, ctx) => errors.push(`${ctx.rule}: ${err.message}`));
  k2.events.loadConfig(config, 'k2.conf');
  const m2 = k2.mount({ name: 'j1' });
  const other = k2.mount({ name: 'j2' });
  await k2.events.flush();
  expect(m2.stat('zero').mode & 0o7777).toBe(0o604);             // restored in j1
  expect(other.stat('zero').mode & 0o7777).not.toBe(0o604);      // only in j1
  expect(errors).toEqual([]);
  m1.unmount();
  m2.unmount();
  other.unmount();
});
