/**
 * Host ports per Docker host. Every tenant publishes four ports; on one daemon no two tenants may
 * share one. A tenant keeps the ports recorded in its stack config for its whole life, ports stated
 * in the registry are honoured (and checked), and the rest come from the host's range, lowest first.
 */
import type { FleetHost } from "./registry.js";
import { PORT_KEYS, type PortKey, type TenantPorts } from "./stackConfig.js";

/** Ports a tenant holds on a Docker host (read from its stack config, or allocated in this run). */
export interface PortClaim {
    readonly ref: string;
    readonly dockerHost: string;
    /** Partial for tenants not created yet: only the ports the registry states for them. */
    readonly ports: Partial<TenantPorts>;
}

export interface PortRequest {
    readonly ref: string;
    readonly host: FleetHost;
    /** Ports the registry states: used as given. */
    readonly explicit?: Partial<TenantPorts>;
    /** Ports already in the tenant's stack config on this same host: kept. */
    readonly recorded?: Partial<TenantPorts>;
}

export interface PortAssignment {
    readonly ports: TenantPorts;
    /** Keys that got a new port in this call (empty when everything was explicit or recorded). */
    readonly allocated: readonly PortKey[];
}

export class PortAllocationError extends Error {
    constructor(
        readonly ref: string,
        message: string,
    ) {
        super(message);
        this.name = "PortAllocationError";
    }
}

export class PortAllocator {
    private readonly claims = new Map<string, PortClaim>();

    constructor(existing: Iterable<PortClaim> = []) {
        for (const claim of existing) this.claims.set(claim.ref, claim);
    }

    /** Assigns the tenant's four ports and records the claim, so later requests in this run avoid them. */
    assign(request: PortRequest): PortAssignment {
        const { ref, host } = request;
        const owners = this.portOwners(host.dockerHost, ref);
        const chosen: Partial<TenantPorts> = {};
        const taken = (port: number) => owners.has(port) || Object.values(chosen).includes(port);

        for (const key of PORT_KEYS) {
            const fixed = request.explicit?.[key] ?? request.recorded?.[key];
            if (fixed === undefined) continue;
            const owner = owners.get(fixed);
            if (owner) {
                const origin = request.explicit?.[key] !== undefined ? "set in the registry" : "recorded in its stack config";
                throw new PortAllocationError(ref, `${ref}: ${key} ${fixed} (${origin}) is already used by tenant ${owner.ref} (${owner.key}) on Docker host ${host.dockerHost}`);
            }
            chosen[key] = fixed;
        }

        const allocated: PortKey[] = [];
        let candidate = host.portRange.from;
        for (const key of PORT_KEYS) {
            if (chosen[key] !== undefined) continue;
            while (candidate <= host.portRange.to && taken(candidate)) candidate += 1;
            if (candidate > host.portRange.to) {
                const tenantsOnHost = new Set([...owners.values()].map((o) => o.ref)).size;
                throw new PortAllocationError(
                    ref,
                    `${ref}: no free host port left on host ${host.name} (${host.dockerHost}): range ${host.portRange.from}-${host.portRange.to} ` +
                        `is used up by ${tenantsOnHost} tenant(s); widen hosts.${host.name}.portRange or place the tenant on another host`,
                );
            }
            chosen[key] = candidate;
            allocated.push(key);
            candidate += 1;
        }

        const ports = chosen as TenantPorts;
        this.claims.set(ref, { ref, dockerHost: host.dockerHost, ports });
        return { ports, allocated };
    }

    /** Ports of every other tenant on the daemon, with who holds them. */
    private portOwners(dockerHost: string, exceptRef: string): Map<number, { ref: string; key: PortKey }> {
        const owners = new Map<number, { ref: string; key: PortKey }>();
        for (const claim of this.claims.values()) {
            if (claim.ref === exceptRef || claim.dockerHost !== dockerHost) continue;
            for (const key of PORT_KEYS) {
                const port = claim.ports[key];
                if (port !== undefined) owners.set(port, { ref: claim.ref, key });
            }
        }
        return owners;
    }
}
