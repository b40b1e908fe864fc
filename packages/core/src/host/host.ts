/**
 * The plugin host: its own tsyringe child container with the kernel under KERNEL and the options
 * under DRIVER_OPTIONS; each plugin registers its DRIVERs in a child container of its own (so
 * failures are attributed to it and nothing lands in tsyringe's global container); drivers are
 * validated, attached in order, and detached in reverse on close(). Loads are serialized, so a
 * MODLOAD during startup or two concurrent MODLOADs never race on driver names.
 */
import 'reflect-metadata';
import { container as globalContainer, DependencyContainer } from 'tsyringe';
import { devfsError, toDevfsError, wrapError } from '../errors';
import { arg, badArg } from '../validate';
import { Kernel } from '../devfs';
import { registerMemDevices } from '../devices/mem';
import { DRIVER, DRIVER_OPTIONS, KERNEL } from './tokens';
import { findPlugin, FoundPlugin, locateIsolated } from './plugin';
import { isIsolatedSpec, isolationSettings, IsolationSettings } from './isolate/spec';
import { IsolatedPlugin } from './isolate/supervisor';
import { checkCoreRange, checkDriver, registerOf } from './validate';
import type { DevfsDriver, DriverSpec, Host, HostOptions, LoadedPlugin, PluginFailure } from './types';

/** Creates a host and loads `opts.drivers` in order; failures are reported (host.failures), not thrown. */
export async function createHost(opts: HostOptions): Promise<Host> {
  const host = new PluginHost(opts);
  for (const spec of opts.drivers) await host.load(spec).catch(() => undefined);
  return host;
}

/** The Host implementation (see createHost). */
export class PluginHost implements Host {
  readonly kernel: Kernel;
  /** The host's own child container. */
  readonly container: DependencyContainer;
  drivers: DevfsDriver[] = [];
  readonly plugins: LoadedPlugin[] = [];
  readonly failures: PluginFailure[] = [];
  private readonly options: Record<string, unknown>;
  private readonly paths: string[];
  private readonly onError: (f: PluginFailure) => void;
  private readonly loaded = new Map<unknown, LoadedPlugin>();
  private chain: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;

  /** Use createHost (it also loads the initial plugins). */
  constructor(opts: HostOptions) {
    checkHostOptions(opts);
    if (opts.kernel) {
      this.kernel = opts.kernel;
    } else {
      this.kernel = new Kernel();
      registerMemDevices(this.kernel);
    }
    this.options = opts.options ?? {};
    this.paths = opts.paths && opts.paths.length ? opts.paths : [process.cwd()];
    this.onError = opts.onError ?? ((f) => process.emitWarning(f.error.message, { type: 'DevfsPluginWarning', code: (f.error as { code?: string }).code }));
    this.container = globalContainer.createChildContainer();
    this.container.register(KERNEL, { useValue: this.kernel });
    this.container.register(DRIVER_OPTIONS, { useValue: this.options });
    this.kernel.setModload((pkg) => this.load(pkg).then(() => undefined));
  }

  /** The attached driver named `name` (ENOENT when none). */
  driver<T = DevfsDriver>(name: string): T {
    arg.string(name, 'driver name', 'host.driver');
    const d = this.drivers.find((x) => x.name === name);
    if (!d) throw devfsError('ENOENT', 'host.driver', name, `no driver named '${name}' is attached`);
    return d as unknown as T;
  }

  /** Loads a plugin (idempotent per resolved file or module object); rejects with a DevfsError naming it. */
  load(spec: DriverSpec): Promise<LoadedPlugin> {
    const run = this.chain.then(() => this.loadNow(spec));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Detaches every driver in reverse attach order (failures are reported, the rest still detach). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.chain;
      for (const d of [...this.drivers].reverse()) {
        try {
          await d.detach();
        } catch (err) {
          this.report({ plugin: this.pluginOf(d), driver: d.name, error: named(err, 'plugin.detach', this.pluginOf(d), `driver '${d.name}' failed to detach`) });
        }
      }
      this.drivers = [];
      this.kernel.setModload((pkg) => Promise.reject(devfsError('ESHUTDOWN', 'modload', pkg, 'the plugin host is closed')));
      this.container.clearInstances();
    })();
    return this.closing;
  }

  private async loadNow(spec: DriverSpec): Promise<LoadedPlugin> {
    if (isIsolatedSpec(spec)) {
      let s: IsolationSettings;
      try {
        s = isolationSettings(spec);
      } catch (err) {
        throw this.fail(String(spec.module), err);
      }
      if (spec.isolate === true) return this.loadIsolated(s);
      spec = s.module;
    }
    const label = typeof spec === 'string' ? spec : '<module object>';
    if (this.closing) throw devfsError('ESHUTDOWN', 'plugin.load', label, 'the plugin host is closed');
    let found: FoundPlugin;
    try {
      found = findPlugin(spec, this.paths);
    } catch (err) {
      throw this.fail(label, err);
    }
    const already = this.loaded.get(found.key);
    if (already) return already;
    let drivers: DevfsDriver[];
    try {
      drivers = this.registerDrivers(found);
    } catch (err) {
      throw this.fail(found.name, err);
    }
    const attached: DevfsDriver[] = [];
    let firstError: Error | undefined;
    for (const d of drivers) {
      try {
        await d.attach();
      } catch (err) {
        const e = named(err, 'plugin.attach', found.name, `driver '${d.name}' of plugin '${found.name}' failed to attach`);
        firstError ??= e;
        this.report({ plugin: found.name, driver: d.name, error: e });
        await this.detachQuietly(found.name, d);
        continue;
      }
      attached.push(d);
      this.drivers.push(d);
      this.container.register(DRIVER, { useValue: d });
    }
    if (attached.length === 0 && firstError) throw firstError;
    const p: LoadedPlugin = { name: found.name, file: found.file, version: found.pkg?.version, drivers: attached };
    this.plugins.push(p);
    this.loaded.set(found.key, p);
    return p;
  }

  /** Runs a plugin in a worker thread of its own (isolate/): one driver here, its devices in the shared namespace. */
  private async loadIsolated(s: IsolationSettings): Promise<LoadedPlugin> {
    if (this.closing) throw devfsError('ESHUTDOWN', 'plugin.load', s.module, 'the plugin host is closed');
    let found: { name: string; file: string; version?: string };
    try {
      found = locateIsolated(s.module, this.paths);
    } catch (err) {
      throw this.fail(s.module, err);
    }
    const already = this.loaded.get(found.file);
    if (already) return already;
    const d = new IsolatedPlugin(this.kernel, s, found.name, found.file, this.options, this.paths);
    try {
      await d.attach();
      if (this.drivers.some((x) => x.name === d.name)) throw devfsError('EEXIST', 'plugin.register', found.name, `plugin '${found.name}': a driver named '${d.name}' is already attached`);
    } catch (err) {
      await d.detach();
      const e = named(err, 'plugin.attach', found.name, `isolated plugin '${found.name}' failed to attach`);
      this.report({ plugin: found.name, error: e });
      throw e;
    }
    this.drivers.push(d);
    this.container.register(DRIVER, { useValue: d });
    const p: LoadedPlugin = { name: found.name, file: found.file, version: found.version, drivers: [d] };
    this.plugins.push(p);
    this.loaded.set(found.file, p);
    return p;
  }

  /** Validates the plugin, runs its register in a child container and resolves its drivers. */
  private registerDrivers(found: FoundPlugin): DevfsDriver[] {
    const register = registerOf(found);
    checkCoreRange(found);
    const c = this.container.createChildContainer();
    try {
      register.call(found.module, c, this.options);
    } catch (err) {
      throw named(err, 'plugin.register', found.name, `plugin '${found.name}': register() threw`);
    }
    if (!c.isRegistered(DRIVER)) throw devfsError('EINVAL', 'plugin.register', found.name, `plugin '${found.name}' registered no DRIVER`);
    let raw: unknown[];
    try {
      raw = c.resolveAll<unknown>(DRIVER);
    } catch (err) {
      throw named(err, 'plugin.register', found.name, `plugin '${found.name}': resolving its drivers failed`);
    }
    const taken = new Set(this.drivers.map((d) => d.name));
    return raw.map((d) => {
      const drv = checkDriver(found.name, d, taken);
      taken.add(drv.name);
      return drv;
    });
  }

  private async detachQuietly(plugin: string, d: DevfsDriver): Promise<void> {
    try {
      await d.detach();
    } catch (err) {
      this.report({ plugin, driver: d.name, error: named(err, 'plugin.detach', plugin, `driver '${d.name}' failed to detach after a failed attach`) });
    }
  }

  private pluginOf(d: DevfsDriver): string {
    return this.plugins.find((p) => p.drivers.includes(d))?.name ?? d.name;
  }

  private fail(plugin: string, err: unknown): Error {
    const e = toDevfsError(err, 'plugin.load', plugin);
    this.report({ plugin, error: e });
    return e;
  }

  private report(f: PluginFailure): void {
    this.failures.push(f);
    try {
      this.onError(f);
    } catch {
      /* a failing reporter must not stop the host */
    }
  }
}

/** A DevfsError with the original code and a message that names the plugin. */
function named(err: unknown, syscall: string, plugin: string, what: string): Error {
  return wrapError(err, syscall, plugin, what);
}

/** EINVAL unless `opts` is `{ drivers: [...] }` with well-typed optional fields. */
function checkHostOptions(opts: HostOptions): void {
  const syscall = 'createHost';
  arg.object(opts, 'host options', syscall);
  if (!Array.isArray(opts.drivers)) throw badArg('drivers', 'an array of plugins', opts.drivers, syscall);
  arg.optObject(opts.options, 'options', syscall);
  if (opts.kernel !== undefined && !(opts.kernel instanceof Kernel)) throw badArg('kernel', 'a Kernel', opts.kernel, syscall);
  if (opts.paths !== undefined && !(Array.isArray(opts.paths) && opts.paths.every((p) => typeof p === 'string'))) {
    throw badArg('paths', 'an array of strings', opts.paths, syscall);
  }
  if (opts.onError !== undefined) arg.fn(opts.onError, 'onError', syscall);
}
