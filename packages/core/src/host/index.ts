/** The plugin host: tsyringe tokens, driver/plugin interfaces and createHost. */
export { KERNEL, DRIVER, DRIVER_OPTIONS } from './tokens';
export type { DevfsDriver, DriverModule, DriverSpec, Host, HostOptions, IsolationInfo, LoadedPlugin, PluginFailure } from './types';
export type { IsolatedDriverSpec, RestartPolicy } from './isolate/spec';
export { createHost, PluginHost } from './host';
export { driverOptions } from './options';
export { tuneMalloc } from './malloc';
export { CORE_VERSION } from './validate';
export type { DependencyContainer } from 'tsyringe';
