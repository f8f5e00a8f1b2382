/**
 * Where tenants run. Each host of fleet.yaml may declare a capacity (memory, CPUs, tenant slots); a
 * tenant uses the sum of its containers' limits. A tenant that fleet.yaml puts on no host is placed
 * once, when its stack is created, on the host with the most room left, and its stack records the
 * host (fleetHost): placement never changes by itself, whatever the capacities do later.
 */
import { SERVICE_NAMES } from "../../components/catalog.js";
import { settingOrDefault } from "../../components/config/load.js";
import { declaredLimits, type DeclaredLimits } from "../../components/services/index.js";
import { dockerHostOf, effectivePorts } from "./fleetConfigs.js";
import type { FleetHost, FleetRegistry, RegistryTenant } from "./registry.js";

export class PlacementError extends Error {
    override readonly name = "PlacementError";
}

/** What the tenants recorded on one host use of it. */
export interface HostUse {
    readonly host: FleetHost;
    readonly refs: string[];
    memoryMb: number;
    cpus: number;
}

export type HostUseMap = Map<string, HostUse>;

/**
 * The host of fleet.yaml a stack runs on: the one it recorded, or for a stack made before placement
 * was recorded, the host entry on its daemon whose port range holds its gateway port.
 */
export function recordedHost(config: Readonly<Record<string, string>>, hosts: ReadonlyMap<string, FleetHost>): FleetHost | undefined {
    if (config.fleetHost !== undefined) return hosts.get(config.fleetHost);
    const dockerHost = dockerHostOf(config);
    const port = effectivePorts(config).kongHttpPort;
    return [...hosts.values()].find((host) => host.dockerHost === dockerHost && port >= host.portRange.from && port <= host.portRange.to);
}

/** The limits a stack's config declares, read setting by setting, so that a stack whose config is broken still counts. */
export function limitsOfStack(config: Readonly<Record<string, string>>): DeclaredLimits {
    const limits: Record<string, unknown> = { analyticsEnabled: settingOrDefault("analyticsEnabled", config.analyticsEnabled) };
    for (const service of SERVICE_NAMES) {
        limits[`${service}MemoryMb`] = settingOrDefault(`${service}MemoryMb`, config[`${service}MemoryMb`]);
        limits[`${service}Cpus`] = settingOrDefault(`${service}Cpus`, config[`${service}Cpus`]);
    }
    return declaredLimits(limits as Parameters<typeof declaredLimits>[0]);
}

/** What every existing stack uses of the host it runs on. */
export function hostUse(configs: ReadonlyMap<string, Readonly<Record<string, string>>>, hosts: ReadonlyMap<string, FleetHost>): HostUseMap {
    const use: HostUseMap = new Map([...hosts.values()].map((host) => [host.name, { host, refs: [], memoryMb: 0, cpus: 0 }]));
    for (const [ref, config] of [...configs].sort(([a], [b]) => a.localeCompare(b))) {
        const host = recordedHost(config, hosts);
        if (host) addUse(use, host, ref, limitsOfStack(config));
    }
    return use;
}

/** Counts a tenant about to be created, so that the next placement of the same run sees it. */
export function addUse(use: HostUseMap, host: FleetHost, ref: string, limits: DeclaredLimits): void {
    const entry = use.get(host.name) ?? { host, refs: [], memoryMb: 0, cpus: 0 };
    entry.refs.push(ref);
    entry.memoryMb += limits.memoryMb;
    entry.cpus = Math.round((entry.cpus + limits.cpus) * 100) / 100;
    use.set(host.name, entry);
}

interface Room {
    readonly memoryMb: number;
    readonly cpus: number;
    readonly tenants: number;
}

/** What is left on a host with a declared capacity. */
export function roomOn(host: FleetHost, use: HostUseMap): Room | undefined {
    if (!host.capacity) return undefined;
    const used = use.get(host.name);
    return {
        memoryMb: host.capacity.memoryMb - (used?.memoryMb ?? 0),
        cpus: Math.round((host.capacity.cpus - (used?.cpus ?? 0)) * 100) / 100,
        tenants: host.capacity.tenants - (used?.refs.length ?? 0),
    };
}

const describeNeed = (limits: DeclaredLimits) => `${limits.memoryMb} MiB, ${limits.cpus} CPUs and a tenant slot`;
const describeRoom = (room: Room) => `${room.memoryMb} MiB, ${room.cpus} CPUs, ${room.tenants} slot${room.tenants === 1 ? "" : "s"} free`;

function fits(limits: DeclaredLimits, room: Room): boolean {
    return room.memoryMb >= limits.memoryMb && room.cpus >= limits.cpus && room.tenants >= 1;
}

/** Refuses a new tenant on a host whose declared capacity it does not fit in; hosts without one take any. */
export function checkFits(ref: string, limits: DeclaredLimits, host: FleetHost, use: HostUseMap): void {
    const room = roomOn(host, use);
    if (room && !fits(limits, room)) {
        throw new PlacementError(`${ref} does not fit on host ${host.name}: it needs ${describeNeed(limits)}; the host has ${describeRoom(room)}`);
    }
}

/**
 * The host for a new tenant that names none: among the hosts it fits on, the one whose tightest
 * resource (memory, CPUs or slots, each as a share of the host's capacity) is left the most room.
 * Ties go to the host listed first.
 */
export function chooseHost(ref: string, limits: DeclaredLimits, hosts: readonly FleetHost[], use: HostUseMap): FleetHost {
    const lacking = hosts.filter((host) => !host.capacity).map((host) => host.name);
    if (lacking.length > 0) {
        throw new PlacementError(`${ref} has no host and none can be chosen: host${lacking.length > 1 ? "s" : ""} ${lacking.join(", ")} declare${lacking.length > 1 ? "" : "s"} no capacity; give every host capacity: { memoryMb, cpus, tenants }, or set host: <name> for the tenant`);
    }
    let best: { host: FleetHost; score: number } | undefined;
    for (const host of hosts) {
        const room = roomOn(host, use)!;
        if (!fits(limits, room)) continue;
        const capacity = host.capacity!;
        const score = Math.min((room.memoryMb - limits.memoryMb) / capacity.memoryMb, (room.cpus - limits.cpus) / capacity.cpus, (room.tenants - 1) / capacity.tenants);
        if (!best || score > best.score) best = { host, score };
    }
    if (!best) {
        const free = hosts.map((host) => `${host.name} has ${describeRoom(roomOn(host, use)!)}`).join("; ");
        throw new PlacementError(`${ref} fits on no host: it needs ${describeNeed(limits)}; ${free}`);
    }
    return best.host;
}

/**
 * The host a registry tenant runs on: the one fleet.yaml names; else, for an existing stack, the one
 * it recorded; else (a new tenant) the only host or the one chosen by capacity. `placed` is true
 * when this call chose it.
 */
export function hostForTenant(
    tenant: Pick<RegistryTenant, "ref" | "host" | "config">,
    current: Readonly<Record<string, string>> | undefined,
    registry: Pick<FleetRegistry, "hosts" | "source">,
    use: HostUseMap,
): { host: FleetHost; placed: boolean } {
    if (current && !tenant.host) {
        const recorded = recordedHost(current, registry.hosts);
        if (recorded) return { host: recorded, placed: false };
        if (current.fleetHost !== undefined) {
            throw new PlacementError(`${tenant.ref} runs on host ${current.fleetHost}, which ${registry.source} no longer defines: add it back, or set host: <name> to say where the tenant is`);
        }
        throw new PlacementError(`${tenant.ref}: no host of ${registry.source} matches the stack's Docker host ${dockerHostOf(current)} and ports; set host: <name> for the tenant`);
    }
    if (tenant.host && current) return { host: tenant.host, placed: false };
    return { host: hostForNewTenant(tenant.ref, declaredLimits(tenant.config), tenant.host, registry.hosts, use), placed: !tenant.host };
}

/**
 * Where a new tenant goes: the host named for it (checked against that host's capacity), else the
 * only host, else the one chosen by capacity.
 */
export function hostForNewTenant(ref: string, limits: DeclaredLimits, named: FleetHost | undefined, hosts: ReadonlyMap<string, FleetHost>, use: HostUseMap): FleetHost {
    const candidates = [...hosts.values()];
    const host = named ?? (candidates.length === 1 ? candidates[0]! : chooseHost(ref, limits, candidates, use));
    checkFits(ref, limits, host, use);
    return host;
}
