/**
 * `fleet hosts`: each host of fleet.yaml with its declared capacity, what the tenants recorded on it
 * use (the sum of their containers' limits), and which tenants those are. Read from the stacks'
 * config only: it asks no Docker host.
 */
import { parseDockerHost } from "../../components/config/dockerHost.js";
import type { Fleet } from "./fleet.js";
import { readAllConfigs } from "./fleetConfigs.js";
import { keysFor } from "./knownHosts.js";
import { hostUse, recordedHost, roomOn } from "./placement.js";
import type { HostCapacity } from "./registry.js";
import { renderTable } from "./table.js";

export interface HostReport {
    readonly name: string;
    readonly dockerHost: string;
    readonly capacity: HostCapacity | null;
    readonly used: { readonly memoryMb: number; readonly cpus: number; readonly tenants: number };
    readonly free: { readonly memoryMb: number; readonly cpus: number; readonly tenants: number } | null;
    readonly tenants: readonly string[];
    /** The base domain of the host's edge proxy (tenants at https://<ref>.<baseDomain>), or null without one. */
    readonly edge: string | null;
    /** ssh:// hosts: whether hosts/known_hosts holds the host's key (without it, every connection is refused); null otherwise. */
    readonly hostKeyRecorded: boolean | null;
}

export interface HostsListing {
    readonly hosts: readonly HostReport[];
    /** Stacks that run on no host of fleet.yaml (the host was removed, or they were made elsewhere). */
    readonly elsewhere: readonly string[];
}

/** `knownHosts`: the text of the fleet's known_hosts file. */
export async function listHosts(fleet: Fleet, knownHosts = ""): Promise<HostsListing> {
    const hosts = fleet.registry?.hosts ?? new Map();
    const configs = await readAllConfigs(fleet.engine);
    const use = hostUse(configs, hosts);
    const reports = [...hosts.values()].map((host): HostReport => {
        const used = use.get(host.name)!;
        return {
            name: host.name,
            dockerHost: host.dockerHost,
            capacity: host.capacity ?? null,
            used: { memoryMb: used.memoryMb, cpus: used.cpus, tenants: used.refs.length },
            free: roomOn(host, use) ?? null,
            tenants: used.refs,
            edge: host.edge?.baseDomain ?? null,
            hostKeyRecorded: hostKeyRecorded(host.dockerHost, knownHosts),
        };
    });
    const elsewhere = [...configs].filter(([, config]) => !recordedHost(config, hosts)).map(([ref]) => ref).sort();
    return { hosts: reports, elsewhere };
}

function hostKeyRecorded(dockerHost: string, knownHosts: string): boolean | null {
    const endpoint = parseDockerHost(dockerHost);
    return endpoint.kind === "ssh" ? keysFor(knownHosts, endpoint.host, endpoint.port).trusted.length > 0 : null;
}

export function renderHosts(listing: HostsListing, source: string): string {
    if (listing.hosts.length === 0) return `${source} defines no hosts: every tenant runs on the local Docker daemon (add a hosts: section, see fleet.example.yaml)`;
    const of = (used: number, capacity: number | undefined) => (capacity === undefined ? `${used} (no capacity)` : `${used} / ${capacity}`);
    const rows = listing.hosts.map((host) => [
        host.name,
        host.dockerHost,
        of(host.used.memoryMb, host.capacity?.memoryMb),
        of(host.used.cpus, host.capacity?.cpus),
        of(host.used.tenants, host.capacity?.tenants),
        host.tenants.join(", ") || "-",
    ]);
    // The EDGE column only once some host has an edge proxy.
    const withEdge = listing.hosts.some((host) => host.edge !== null);
    const table = renderTable(
        ["HOST", "DOCKER HOST", "MEMORY MiB", "CPUS", "TENANTS", "REFS", ...(withEdge ? ["EDGE"] : [])],
        rows.map((row, index) => [...row, ...(withEdge ? [listing.hosts[index]!.edge ?? "-"] : [])]),
    );
    const notes = [
        ...listing.hosts.filter((host) => host.hostKeyRecorded === false).map((host) => `no host key recorded for ${host.name}: every connection to it is refused until fleet trust-host ${host.name}`),
        ...(listing.elsewhere.length ? [`on no host of ${source}: ${listing.elsewhere.join(", ")}`] : []),
    ];
    return notes.length ? `${table}\n\n${notes.join("\n")}` : table;
}
