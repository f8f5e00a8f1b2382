/**
 * Turns a service's container spec into a docker.Container with the tenant's conventions: names,
 * labels, network alias, limits, restart policy, health-gated start, and replacement rules.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { SERVICE_CATALOG, type ServiceName } from "../catalog.js";
import { containerName, tenantLabels } from "../names.js";
import type { ContainerSpec, VolumeName } from "../services/types.js";

export interface TenantContainerArgs {
    readonly ref: string;
    readonly service: ServiceName;
    readonly spec: ContainerSpec;
    readonly image: docker.RemoteImage;
    readonly network: docker.Network;
    readonly volumes: Readonly<Record<VolumeName, docker.Volume>>;
    readonly bindAddress: string;
    readonly memoryMb: number;
    readonly cpus: string;
    /** A paused tenant's containers are neither started nor restarted by an update. */
    readonly paused: boolean;
    /** Containers that must be healthy before this one is created. */
    readonly healthyFirst: readonly docker.Container[];
    /** Other resources that must exist first (checks that guard this container's data). */
    readonly createdAfter?: readonly pulumi.Resource[];
    /** The tenant's log socket on the Docker host: the daemon sends this container's lines there (vector reads them). */
    readonly logSocket?: string;
}

/**
 * The fluentd log driver towards the tenant's socket. Asynchronous: a container starts and runs while
 * vector is not (yet) listening, and the daemon buffers and retries. `docker logs` (and so `fleet
 * logs`) keeps working through the daemon's local cache of the lines (dual logging).
 */
function logShipping(socketPath: string): { logDriver: string; logOpts: Record<string, string> } {
    return { logDriver: "fluentd", logOpts: { "fluentd-address": `unix://${socketPath}`, "fluentd-async": "true", tag: "{{.Name}}" } };
}

/** `KEY=value` entries sorted by key; each secret value stays a secret entry of its own. */
export function environmentList(env: Readonly<Record<string, pulumi.Input<string>>>): pulumi.Input<string>[] {
    return Object.keys(env)
        .sort()
        .map((key) => {
            const value = env[key]!;
            return typeof value === "string" ? `${key}=${value}` : pulumi.interpolate`${key}=${value}`;
        });
}

export function createTenantContainer(
    logicalName: string,
    args: TenantContainerArgs,
    options: { parent: pulumi.Resource; provider: docker.Provider },
): docker.Container {
    const { spec } = args;
    return new docker.Container(
        logicalName,
        {
            name: containerName(args.ref, args.service),
            image: args.image.name,
            envs: environmentList(spec.env),
            ...(spec.command ? { command: [...spec.command] } : {}),
            ...(spec.entrypoint ? { entrypoints: [...spec.entrypoint] } : {}),
            healthcheck: {
                tests: [...spec.healthcheck.test],
                interval: spec.healthcheck.interval,
                timeout: spec.healthcheck.timeout,
                retries: spec.healthcheck.retries,
                ...(spec.healthcheck.startPeriod ? { startPeriod: spec.healthcheck.startPeriod } : {}),
            },
            labels: tenantLabels(args.ref, args.service),
            networksAdvanced: [
                { name: args.network.name, aliases: [SERVICE_CATALOG[args.service].alias, ...(spec.extraAliases ?? [])] },
                // No alias there: the edge proxy reaches the gateway by its container name, unique on the host.
                ...(spec.edgeNetwork ? [{ name: spec.edgeNetwork }] : []),
            ],
            ports: spec.publishedPorts.map((port) => ({ internal: port.internal, external: port.external, ip: args.bindAddress, protocol: "tcp" })),
            volumes: [
                ...spec.volumes.map((mount) => ({
                    volumeName: args.volumes[mount.volume].name,
                    containerPath: mount.containerPath,
                    readOnly: mount.readOnly ?? false,
                })),
                ...(spec.hostBinds ?? []).map((bind) => ({ hostPath: bind.hostPath, containerPath: bind.containerPath, readOnly: bind.readOnly })),
            ],
            uploads: spec.uploads.map((upload) => ({ file: upload.path, content: upload.content, executable: upload.executable ?? false })),
            ...(spec.securityOpts ? { securityOpts: [...spec.securityOpts] } : {}),
            ...(spec.user ? { user: spec.user } : {}),
            ...(spec.tmpfs ? { tmpfs: { ...spec.tmpfs } } : {}),
            ...(args.logSocket ? logShipping(args.logSocket) : {}),
            restart: "unless-stopped",
            memory: args.memoryMb,
            // Stated explicitly: Docker's default (swap as large again) reads back as a change on every refresh.
            // Equal to memory: a tenant cannot push the host into swap beyond its limit.
            memorySwap: args.memoryMb,
            cpus: canonicalCpus(args.cpus),
            start: !args.paused,
            mustRun: !args.paused,
            // Creation waits for the health check: dependents are created only once this is healthy.
            wait: !args.paused,
            waitTimeout: spec.waitTimeoutSeconds,
        },
        {
            parent: options.parent,
            provider: options.provider,
            dependsOn: [args.image, ...args.healthyFirst, ...(args.createdAfter ?? [])],
            // Names and host ports are fixed, so the old container must go before the new one comes.
            deleteBeforeReplace: true,
            // The provider shows these as updates but never applies them.
            replaceOnChanges: ["healthcheck", "init", "tmpfs"],
        },
    );
}

/**
 * The CPU limit in the form the Docker provider reads back from the engine ("1" is read as "1.0",
 * "0.50" as "0.5"): declared in any other form, every preview after the first up would replace the
 * container.
 */
export function canonicalCpus(cpus: string): string {
    const [whole = "0", fraction = ""] = cpus.split(".");
    const trimmedFraction = fraction.replace(/0+$/, "");
    return `${whole.replace(/^0+(?=\d)/, "")}.${trimmedFraction === "" ? "0" : trimmedFraction}`;
}
