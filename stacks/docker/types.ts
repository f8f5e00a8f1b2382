/**
 * The contract between fleet operations and a Docker host. `stacks/fleet/ports.ts` re-exports
 * these types for the fleet layer.
 */

/**
 * State of one service's container:
 * - `running`: up, and the container has no health check;
 * - `healthy` / `unhealthy` / `starting`: up, with Docker's health state;
 * - `stopped`: the container exists but is not up (created, exited, paused, dead);
 * - `missing`: no container carries this service's label.
 */
export type ContainerState = "running" | "healthy" | "unhealthy" | "starting" | "stopped" | "missing";

export interface TenantDockerHost {
    /** State per service, found by the label `supabase-fleet.service` on the tenant's containers. */
    serviceStates(ref: string): Promise<Record<string, ContainerState>>;
    /** Stops every container of the tenant in reverse start order. Never removes anything. */
    pause(ref: string): Promise<void>;
    /** Starts the tenant's containers in start order, each once its dependencies are ready. */
    resume(ref: string): Promise<void>;
    /** Tenant refs that have labelled containers, volumes or networks on the host, sorted. */
    tenantRefs(): Promise<string[]>;
    /** Resolves when the daemon answers; rejects with `DockerUnreachableError` otherwise. */
    ping(): Promise<void>;
}
