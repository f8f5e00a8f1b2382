/**
 * The contract between a service file and the Docker layer: a service file says what its container
 * needs (image, env, health, order, mounts); `components/docker/container.ts` turns that into a
 * `docker.Container` with the tenant's names, labels, network and limits.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ServiceName } from "../catalog.js";
import type { TenantSettings } from "../config/secrets.js";
import type { Release } from "../releases.js";
import type { ProjectSecrets } from "../secrets.js";
import type { RenderedFiles } from "../files/index.js";

/** Named volumes of a tenant. Every stateful path of every service is on one of these. */
export const VOLUME_NAMES = ["db-data", "db-config", "storage", "functions", "deno-cache", "studio-snippets"] as const;
export type VolumeName = (typeof VOLUME_NAMES)[number];

/** Volumes that hold data a user stored (as opposed to caches that can be rebuilt). */
export const DATA_VOLUMES: readonly VolumeName[] = ["db-data", "db-config", "storage", "functions", "studio-snippets"];

export interface HealthCheck {
    /** Docker form: ["CMD", ...] or ["CMD-SHELL", "..."]. */
    readonly test: readonly string[];
    readonly interval: string;
    readonly timeout: string;
    readonly retries: number;
    readonly startPeriod?: string;
}

/** What a service's container needs, given the tenant's context. */
export interface ContainerSpec {
    readonly env: Readonly<Record<string, pulumi.Input<string>>>;
    readonly command?: readonly string[];
    readonly entrypoint?: readonly string[];
    readonly healthcheck: HealthCheck;
    readonly volumes: readonly { readonly volume: VolumeName; readonly containerPath: string; readonly readOnly?: boolean }[];
    /** Names other containers reach it by besides the catalog's alias (upstream renamed the gateway). */
    readonly extraAliases?: readonly string[];
    /** A Docker network besides the tenant's that the container joins: the host's edge network (gateway only). */
    readonly edgeNetwork?: string;
    /** Host paths bound into the container (only vector: its tenant's log socket folder). */
    readonly hostBinds?: readonly { readonly hostPath: string; readonly containerPath: string; readonly readOnly: boolean }[];
    /** Files written into the container before it starts (rendered config; never secrets). */
    readonly uploads: readonly { readonly path: string; readonly content: string; readonly executable?: boolean }[];
    /** Host ports published on the tenant's bind address. */
    readonly publishedPorts: readonly { readonly internal: number; readonly external: number }[];
    /** How long `pulumi up` waits for the container to become healthy. */
    readonly waitTimeoutSeconds: number;
    readonly securityOpts?: readonly string[];
    readonly user?: string;
    /** In-memory mounts (path: mount options) for files made at start that hold secrets. */
    readonly tmpfs?: Readonly<Record<string, string>>;
}

/**
 * One service: its place in the start graph (per release, without a tenant, so tools such as resume
 * can read it) and the container it needs for a given tenant.
 */
export interface ServiceModule {
    readonly service: ServiceName;
    /** Services that must be healthy before this container is created (and started, on resume). */
    readonly dependsOn: (release: Release) => readonly ServiceName[];
    readonly define: (context: ServiceContext) => ContainerSpec;
}

/** Everything a service file may read. Computed once per tenant and passed to every service. */
export interface ServiceContext {
    readonly settings: TenantSettings;
    /** The tenant's release: service files shape their wiring by it (`isAtLeast`). */
    readonly release: Release;
    readonly secrets: ProjectSecrets;
    readonly files: RenderedFiles;
    /** Public URL of the tenant's Kong (API_EXTERNAL_URL, SUPABASE_PUBLIC_URL). */
    readonly apiUrl: string;
    /** Container names of this tenant, by service (vector routes logs by them). */
    readonly containerNames: Readonly<Record<ServiceName, string>>;
}
