/** A root host loads plugin code only when no other user could have written it (host/trust.ts). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createHost } from '../src';
import { untrustedReason } from '../src/host/trust';
import { describeHost, needRoot } from '../../../test-support/host';

const g = globalThis as unknown as { __plantedRan?: number };

/** A plugin package in a fresh directory whose module body records that it ran. */
function plant(parent: string): string {
  const dir = fs.mkdtempSync(path.join(parent, 'plugin-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'devfs-fixture-planted', version: '1.0.0', main: 'index.js', peerDependencies: { '@devfs/core': '*' } }));
  fs.writeFileSync(path.join(dir, 'index.js'), 'globalThis.__plantedRan = (globalThis.__plantedRan || 0) + 1;\nexports.register = () => {};\n');
  return dir;
}

describeHost('plugin trust for a root host', [needRoot], () => {
  let base: string;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-trust-'));
    g.__plantedRan = 0;
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  test('a plugin directory owned by another user is refused with EPERM and its code never runs', async () => {
    const dir = plant(base);
    fs.chownSync(dir, 65534, 65534);
    const host = await createHost({ drivers: [dir] });
    expect(host.failures).toEqual([expect.objectContaining({ error: expect.objectContaining({ code: 'EPERM', syscall: 'plugin.load' }) })]);
    expect(host.failures[0].error.message).toMatch(/owned by uid 65534/);
    expect(g.__plantedRan).toBe(0);
    await host.close();
  });

  test('a group- or world-writable plugin file is refused; the same file made root-only loads', async () => {
    const dir = plant(base);
    const file = path.join(dir, 'index.js');
    for (const mode of [0o664, 0o646]) {
      fs.chmodSync(file, mode);
      const host = await createHost({ drivers: [dir] });
      expect(host.failures.map((f) => (f.error as { code?: string }).code)).toEqual(['EPERM']);
      await host.close();
    }
    expect(g.__plantedRan).toBe(0);
    fs.chmodSync(file, 0o644);
    const ok = await createHost({ drivers: [dir] });
    // it ran; registering no driver is its own (later) failure, not a refusal
    expect(ok.failures.map((f) => (f.error as { code?: string }).code)).toEqual(['EINVAL']);
    expect(g.__plantedRan).toBe(1);
    await ok.close();
  });

  test('a sticky world-writable directory (like /tmp) above a root-owned plugin is allowed; without the sticky bit it is not', () => {
    const shared = path.join(base, 'shared');
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o1777);
    const dir = plant(shared);
    expect(untrustedReason(path.join(dir, 'index.js'), 0)).toBeNull();
    fs.chmodSync(shared, 0o777);
    expect(untrustedReason(path.join(dir, 'index.js'), 0)).toMatch(/shared is writable by (its group|others)/);
  });
});
