import type { TenantObjects } from "./orphans.js";
import type { Readable, Writable } from "node:stream";

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

/** One line of a tenant container's log. */
export interface LogLine {
    readonly service: string;
    readonly stream: "stdout" | "stderr";
    /** Docker's timestamp of the line (RFC 3339, nanoseconds), which orders lines across containers. */
    readonly time: string;
    readonly text: string;
}

export interface LogOptions {
    /** Only this service's container; every container of the tenant when unset. */
    readonly service?: string;
    /** Only lines written at or after this Unix time (seconds). */
    readonly sinceSeconds?: number;
    /** The last this many lines of each container; all of them when unset. */
    readonly tail?: number;
    /** Keep streaming new lines until `signal` aborts. */
    readonly follow?: boolean;
    readonly signal?: AbortSignal;
}

/** A command run inside a tenant's container (see stacks/docker/exec.ts). */
export interface ServiceCommand {
    readonly command: readonly string[];
    /** Fed to the command's stdin, which is closed when it ends. */
    readonly stdin?: Readable;
    /** Receives the command's stdout, with back-pressure; discarded when unset. */
    readonly stdout?: Writable;
    /** `NAME=value` pairs for this command only. */
    readonly env?: readonly string[];
}

export interface ServiceCommandResult {
    readonly exitCode: number;
    /** The last few KiB of the command's stderr. */
    readonly stderr: string;
}

/** Which of a tenant's services an operation acts on; all of them when unset. */
export interface ServiceSelection {
    readonly services?: readonly string[];
}

/** One of a tenant's containers with what it runs and the named volumes it mounts. */
export interface ServiceContainer {
    readonly service: string;
    readonly image: string;
    readonly state: ContainerState;
    readonly volumeMounts: readonly { readonly volume: string; readonly path: string }[];
}

export interface TenantDockerHost {
    /** State per service, found by the label `supabase-fleet.service` on the tenant's containers. */
    serviceStates(ref: string): Promise<Record<string, ContainerState>>;
    /** Stops the tenant's containers (all, or the selected services) in reverse start order. Never removes anything. */
    pause(ref: string, selection?: ServiceSelection): Promise<void>;
    /** Starts the tenant's containers (all, or the selected services) in start order, each once its dependencies are ready. */
    resume(ref: string, selection?: ServiceSelection): Promise<void>;
    /** The tenant's containers that carry a service label, sorted by service. */
    containers(ref: string): Promise<ServiceContainer[]>;
    /** Runs a command in the running container of one of the tenant's services. */
    exec(ref: string, service: string, command: ServiceCommand): Promise<ServiceCommandResult>;
    /** A tar stream of a path in a service's container (running or stopped), its volumes included. */
    readArchive(ref: string, service: string, path: string): Promise<Readable>;
    /** Unpacks a tar stream into a directory of a service's container (running or stopped). */
    writeArchive(ref: string, service: string, directory: string, tar: Readable): Promise<void>;
    /** Tenant refs that have labelled containers, volumes or networks on the host, sorted. */
    tenantRefs(): Promise<string[]>;
    /**
     * Removes the tenant's log-socket folder `<logSocketDir>/<ref>` from the host's file system (the
     * daemon made it for vector's bind mount), with a short-lived container of `image`, an image the
     * host has: the fleet may not reach that file system otherwise (ssh:// and tcp:// hosts).
     */
    removeLogFolder(ref: string, logSocketDir: string, image: string): Promise<void>;
    /** Whether a volume of that name is on the host, labelled or not: Docker hands it to any stack that declares the name. */
    volumeExists(name: string): Promise<boolean>;
    /** Removes a volume of the tenant; refuses one that is not labelled as the tenant's. A missing volume is no error. */
    removeVolume(ref: string, name: string): Promise<void>;
    /** The names of the tenant's labelled containers, networks and volumes on the host. */
    objectsOf(ref: string): Promise<TenantObjects>;
    /**
     * Removes the tenant's labelled containers (running or not) and networks, and its labelled volumes
     * only with `volumes: true`; returns what it removed.
     */
    removeTenantObjects(ref: string, options: { readonly volumes: boolean }): Promise<TenantObjects>;
    /**
     * The logs of the tenant's containers through the Docker API. Without `follow`, the lines of all
     * containers arrive merged in time order; with it, as they are written, until `signal` aborts.
     */
    logs(ref: string, options: LogOptions, onLine: (line: LogLine) => void): Promise<void>;
    /** Resolves when the daemon answers; rejects with `DockerUnreachableError` otherwise. */
    ping(): Promise<void>;
}
