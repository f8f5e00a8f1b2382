/** Docker-facing fleet operations: the `TenantDockerHost` of one daemon, start order, orphans. */
import { DockerTenantHost, type TenantDockerHostOptions } from "./tenantHost.js";

export type { ContainerState, LogLine, LogOptions, ServiceCommand, ServiceCommandResult, ServiceContainer, ServiceSelection, TenantDockerHost } from "./types.js";
export { LogDemultiplexer, mergeByTime } from "./logs.js";
export { DockerTenantHost, type TenantDockerHostOptions } from "./tenantHost.js";
export { DockerUnreachableError, ServiceNotReadyError, TenantNotOnHostError } from "./errors.js";
export { DockerHostFormatError, parseDockerHost, dockerOptionsFor, type DockerEndpoint } from "./hostOptions.js";
export { startWaves, stopWaves, StartOrderError, type StartDependencies } from "./startOrder.js";
export { findOrphans, type TenantObjects, type TenantObjectLister } from "./orphans.js";

/**
 * Operations on the daemon named by `dockerHost` (`unix:///path`, `tcp://host:port`,
 * `ssh://user@host[:port]`). Throws `DockerHostFormatError` for any other form; connects lazily.
 */
export function createTenantDockerHost(dockerHost: string, options: TenantDockerHostOptions = {}): DockerTenantHost {
    return new DockerTenantHost(dockerHost, options);
}
