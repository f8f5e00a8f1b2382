/**
 * Reading what the backend holds: every stack's config, and from it the host ports each tenant
 * holds per Docker host. Port allocation needs all of them, because uniqueness is per daemon and
 * tenants outside the registry hold ports too.
 */
import { SETTINGS } from "../../components/config/schema.js";
import { mapLimit } from "./concurrency.js";
import type { StackEngine } from "./engine.js";
import type { PortClaim } from "./portAllocator.js";
import type { DockerConnection } from "./ports.js";
import type { FleetRegistry } from "./registry.js";
import { PORT_KEYS, type TenantPorts } from "./stackConfig.js";

/** Stack configs by ref, read with bounded parallelism (each read is a CLI call with the real engine). */
export async function readAllConfigs(engine: StackEngine, refs?: readonly string[]): Promise<Map<string, Record<string, string>>> {
    const stackRefs = refs ?? (await engine.listStacks()).map((stack) => stack.ref);
    const configs = await mapLimit(stackRefs, 8, async (ref) => [ref, await engine.getConfig(ref)] as const);
    return new Map(configs);
}

export function dockerHostOf(config: Readonly<Record<string, string>>): string {
    return config.dockerHost ?? String(SETTINGS.dockerHost.meta.default);
}

/** The daemon a stack's config names, with the TLS folder a tcp:// host needs. */
export function dockerConnectionOf(config: Readonly<Record<string, string>>): DockerConnection {
    const dockerHost = dockerHostOf(config);
    return config.dockerTlsCertPath === undefined ? { dockerHost } : { dockerHost, dockerTlsCertPath: config.dockerTlsCertPath };
}

/**
 * The ports a stack's containers publish: recorded values, or the schema defaults for keys it lacks
 * (a stack made by hand without ports really uses 8000, 8443, 5432, 6543).
 */
export function effectivePorts(config: Readonly<Record<string, string>>): TenantPorts {
    const ports = {} as TenantPorts;
    for (const key of PORT_KEYS) {
        const recorded = Number(config[key]);
        ports[key] = Number.isInteger(recorded) && recorded > 0 ? recorded : Number(SETTINGS[key].meta.default);
    }
    return ports;
}

/** Recorded port settings only (no defaults): what allocation keeps stable. */
export function recordedPorts(config: Readonly<Record<string, string>>): Partial<TenantPorts> {
    const ports: Partial<TenantPorts> = {};
    for (const key of PORT_KEYS) {
        const recorded = Number(config[key]);
        if (config[key] !== undefined && Number.isInteger(recorded)) ports[key] = recorded;
    }
    return ports;
}

/**
 * Claims of every existing stack, plus the explicit ports of registry tenants, so that allocation
 * never hands a tenant a port another tenant is going to ask for by name.
 */
export function portClaims(configs: ReadonlyMap<string, Record<string, string>>, registry: FleetRegistry | undefined): PortClaim[] {
    const claims = new Map<string, PortClaim>();
    for (const [ref, config] of configs) claims.set(ref, { ref, dockerHost: dockerHostOf(config), ports: effectivePorts(config) });
    for (const tenant of registry?.tenants ?? []) {
        // A tenant still to be placed claims its explicit ports once it has a host (sync and create check them there).
        if (!tenant.host) continue;
        const existing = claims.get(tenant.ref);
        const sameHost = existing?.dockerHost === tenant.host.dockerHost;
        claims.set(tenant.ref, {
            ref: tenant.ref,
            dockerHost: tenant.host.dockerHost,
            ports: { ...(sameHost ? existing.ports : {}), ...tenant.explicitPorts },
        });
    }
    return [...claims.values()];
}
