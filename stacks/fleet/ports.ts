/**
 * The fleet's view of a Docker daemon: the seam between the fleet layer (stack orchestration) and
 * the Docker-facing code in `stacks/docker/`, which implements it with dockerode. Everything the
 * fleet knows about running containers comes through here, so tests can use an in-memory double.
 */

export type ContainerState = "running" | "healthy" | "unhealthy" | "starting" | "stopped" | "missing";

export interface TenantDockerHost {
    /** Containers carrying label supabase-fleet.tenant=<ref>, keyed by service label. */
    serviceStates(ref: string): Promise<Record<string, ContainerState>>;
    /** Stop every container of the tenant in reverse start order. */
    pause(ref: string): Promise<void>;
    /** Start containers in start order, each after its dependencies are healthy. */
    resume(ref: string): Promise<void>;
    /** Tenant refs that have labelled containers/volumes on the host. */
    tenantRefs(): Promise<string[]>;
    /** Throws a clear error if the daemon cannot be reached. */
    ping(): Promise<void>;
}

/** Builds the host object for a Docker endpoint (unix://, ssh://, tcp://). */
export type TenantDockerHostFactory = (dockerHost: string) => TenantDockerHost;
