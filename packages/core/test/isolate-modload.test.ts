/**
 * What MODLOAD does for an isolated plugin (pinned here, described in the README's isolation
 * limits): a MODLOAD in the plugin's own event stream loads the package into the plugin's worker
 * (its devices are adopted into the host's namespace like the plugin's; it lives and dies with
 * that worker and is not listed as a driver of the host); a LOOKUP the plugin emits reaches the
 * host's stream, whose MODLOAD rules load in the host's process.
 */
import { native } from '@devfs/native';
import { Host } from '../src';
import { until } from './helpers';
import { hostWith, ifx, isolated } from './isolate-helpers';

let host: Host;
afterEach(async () => {
  await host?.close();
});

async function ioctlMl0(cmd: number): Promise<unknown> {
  const f = await host.kernel.mount({ name: 'r' }).open('ml0', 'r');
  try {
    return await f.ioctl(cmd);
  } finally {
    await f.close();
  }
}

test("a MODLOAD in the plugin's own stream loads into its worker: devices shared, gone with the worker, not a host driver", async () => {
  host = await hostWith(isolated('modload', { restart: 'never' }));
  expect(await ioctlMl0(1)).toBe(true); // the worker's autoload resolved: it loaded `other`
  await until(() => host.kernel.lookupDev('other0') !== undefined, 'other0 adopted');
  const dev = host.kernel.lookupDev('other0')!;
  expect(native.inodeForeignName(dev.inode, dev.gen)).toBe('other0'); // made in the worker, adopted here
  expect(host.drivers.map((d) => d.name)).toEqual(['modload']);
  // the worker goes (the host detaches the plugin): the package it loaded goes with it
  await host.drivers[0].detach();
  expect(host.kernel.lookupDev('other0')).toBeUndefined();
  expect(host.kernel.lookupDev('ml0')).toBeUndefined();
});

test("a LOOKUP the plugin emits reaches the host's stream, whose MODLOAD loads in the host's process", async () => {
  host = await hostWith(isolated('modload'));
  // (not other0: the plugin's own stream would load `other` into its worker too, and the first to make other0 wins)
  host.kernel.events.loadConfig(`LOOKUP ^elsewhere0$ MODLOAD ${ifx('other')}\n`, 'host');
  await ioctlMl0(2);
  await host.kernel.events.flush();
  await until(() => host.drivers.length === 2, 'the MODLOAD');
  expect(host.drivers.map((d) => [d.name, d.isolation?.state ?? 'in process'])).toEqual([['modload', 'running'], ['other', 'in process']]);
  const dev = host.kernel.lookupDev('other0')!;
  expect(native.inodeForeignName(dev.inode, dev.gen)).toBeUndefined(); // the host's own inode
});
