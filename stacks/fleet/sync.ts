/**
 * `fleet sync`: reconcile the backend with the registry. Missing stacks are created, stacks whose
 * config differs are updated, stacks the registry does not list are reported and never deleted.
 * Planning is serial (ports are allocated in registry order); applying runs in parallel.
 */
import { parseTenantConfig, TenantConfigError } from "../../components/config/load.js";
import { declaredLimits } from "../../components/services/index.js";
import type { SettingValue, StackEngine } from "./engine.js";
import { dockerHostOf, portClaims, readAllConfigs, recordedPorts } from "./fleetConfigs.js";
import { PortAllocationError, PortAllocator } from "./portAllocator.js";
import { addUse, hostForTenant, hostUse, PlacementError, roomOn, type HostUseMap } from "./placement.js";
import { withHostSettings, type FleetHost, type FleetRegistry } from "./registry.js";
import { runFleet, type FleetRunReport, type RunFleetOptions } from "./runner.js";
import { encodeSettingValue, FLEET_OWNED_KEYS, newTenantReleaseSettings, recordedReleaseSettings, secretKeysOf, type PortKey, type TenantPorts } from "./stackConfig.js";
import { renderTable } from "./table.js";
import type { EdgeRoute } from "../../components/hostServices/config.js";
import { routeOf } from "./hostStacks.js";
import { recordedHost } from "./placement.js";

export type SyncAction = "create" | "update" | "unchanged" | "unmanaged" | "invalid";

export interface SyncItem {
    readonly ref: string;
    readonly action: SyncAction;
    /** Registry host name (tenants of the registry only). */
    readonly host?: string;
    /** Keys that are added or change value (names only: values may be secret). */
    readonly changedKeys: readonly string[];
    /** Keys in the stack config that the registry no longer states. */
    readonly removedKeys: readonly string[];
    readonly ports?: TenantPorts;
    /** Port keys that got a newly allocated port. */
    readonly allocatedPorts: readonly PortKey[];
    readonly note?: string;
}

export interface SyncPlan {
    readonly items: readonly SyncItem[];
    /** Desired settings per ref to create or update; kept apart from the items so they are never printed. */
    readonly desired: ReadonlyMap<string, Readonly<Record<string, SettingValue>>>;
    /** The edge proxy routes of the registry's tenants, by host name (the host stacks' input). */
    readonly edgeRoutes: ReadonlyMap<string, readonly EdgeRoute[]>;
    /** Every tenant stack's config as it is now, and which stacks hold resources. */
    readonly configs: ReadonlyMap<string, Readonly<Record<string, string>>>;
    readonly deployed: ReadonlySet<string>;
}

export async function planSync(engine: StackEngine, registry: FleetRegistry): Promise<SyncPlan> {
    const stacks = await engine.listStacks();
    const deployed = new Set(stacks.filter((stack) => (stack.resourceCount ?? 0) > 0).map((stack) => stack.ref));
    const configs = await readAllConfigs(engine, stacks.map((stack) => stack.ref));
    const allocator = new PortAllocator(portClaims(configs, registry));
    // Tenants are placed in registry order, each seeing the ones placed before it.
    const use = hostUse(configs, registry.hosts);
    const items: SyncItem[] = [];
    const desired = new Map<string, Record<string, SettingValue>>();
    const invalidItem = (ref: string, host: string | undefined, note: string): SyncItem => ({ ref, action: "invalid", ...(host ? { host } : {}), changedKeys: [], removedKeys: [], allocatedPorts: [], note });
    const edgeRoutes = new Map<string, EdgeRoute[]>();
    const addRoute = (hostName: string | undefined, ref: string, settings: Readonly<Record<string, unknown>>) => {
        const route = hostName === undefined ? undefined : routeOf(ref, settings);
        if (route) edgeRoutes.set(hostName!, [...(edgeRoutes.get(hostName!) ?? []), route]);
    };

    for (const tenant of registry.tenants) {
        const current = configs.get(tenant.ref);
        let host: FleetHost;
        let placed: boolean;
        try {
            ({ host, placed } = hostForTenant(tenant, current, registry, use));
        } catch (error) {
            if (!(error instanceof PlacementError)) throw error;
            items.push(invalidItem(tenant.ref, undefined, error.message));
            continue;
        }
        const sameHost = current !== undefined && dockerHostOf(current) === host.dockerHost;
        if (current && !sameHost && deployed.has(tenant.ref)) {
            // The stack would come up empty on the new daemon while its data stays on the old one.
            items.push(invalidItem(tenant.ref, host.name, hostChangeRefusal(tenant.ref, dockerHostOf(current), host)));
            continue;
        }
        let assignment;
        try {
            assignment = allocator.assign({
                ref: tenant.ref,
                host,
                explicit: tenant.explicitPorts,
                ...(sameHost ? { recorded: recordedPorts(current) } : {}),
            });
        } catch (error) {
            if (!(error instanceof PortAllocationError)) throw error;
            items.push(invalidItem(tenant.ref, host.name, error.message));
            continue;
        }
        // The release is the stack's own record unless the registry states one (then validation refuses a
        // Postgres major the data directory does not have).
        const release = current ? recordedReleaseSettings(current) : newTenantReleaseSettings(tenant.settings);
        const settings: Record<string, SettingValue> = { ...release, ...withHostSettings(tenant.settings, host, registry.hosts.size > 0), ...assignment.ports };
        // A stack made before hosts were recorded is found by its daemon and ports; it gets fleetHost only when it changes host.
        if (current && current.fleetHost === undefined && sameHost) delete settings.fleetHost;
        const invalid = checkFinalConfig(tenant.ref, settings);
        if (invalid) {
            items.push(invalidItem(tenant.ref, host.name, invalid));
            continue;
        }
        const base = { ref: tenant.ref, host: host.name, ports: assignment.ports, allocatedPorts: assignment.allocated };
        addRoute(host.name, tenant.ref, settings);
        if (!current) {
            addUse(use, host, tenant.ref, declaredLimits(tenant.config));
            desired.set(tenant.ref, settings);
            items.push({ ...base, action: "create", changedKeys: Object.keys(settings).sort(), removedKeys: [], ...(placed ? { note: placementNote(host, use) } : {}) });
            continue;
        }
        const changedKeys = Object.keys(settings)
            .filter((key) => current[key] !== encodeSettingValue(settings[key]!))
            .sort();
        const removedKeys = Object.keys(current)
            .filter((key) => settings[key] === undefined && !FLEET_OWNED_KEYS.includes(key))
            .sort();
        const moved = current !== undefined && !sameHost ? `moves from ${dockerHostOf(current)} to ${host.dockerHost} (never deployed): ports reallocated` : undefined;
        if (changedKeys.length === 0 && removedKeys.length === 0) {
            items.push({ ...base, action: "unchanged", changedKeys, removedKeys });
            continue;
        }
        desired.set(tenant.ref, Object.fromEntries(changedKeys.map((key) => [key, settings[key]!])));
        items.push({ ...base, action: "update", changedKeys, removedKeys, ...(moved ? { note: moved } : {}) });
    }

    // A deployed tenant whose registry entry is invalid now keeps the route its stack has.
    for (const item of items) {
        const current = configs.get(item.ref);
        if (item.action === "invalid" && current && deployed.has(item.ref)) addRoute(recordedHost(current, registry.hosts)?.name, item.ref, current);
    }
    const registered = new Set(registry.tenants.map((tenant) => tenant.ref));
    for (const ref of [...configs.keys()].sort()) {
        if (!registered.has(ref)) {
            items.push({ ref, action: "unmanaged", changedKeys: [], removedKeys: [], allocatedPorts: [], note: `not in ${registry.source}; left as it is (fleet destroy ${ref} removes it)` });
        }
    }
    return { items, desired, edgeRoutes, configs, deployed };
}

/** Why sync does not switch a deployed tenant's Docker host, and the way that takes its data along. */
function hostChangeRefusal(ref: string, from: string, to: FleetHost): string {
    return `its stack runs on ${from} and fleet.yaml now puts it on host ${to.name} (${to.dockerHost}); sync does not move a deployed tenant, whose data would stay behind: fleet move ${ref} --to ${to.name} moves it with its data, or set host back`;
}

/** What a placement leaves on the chosen host, for the plan's detail column. */
function placementNote(host: FleetHost, use: HostUseMap): string {
    const room = roomOn(host, use);
    return room ? `placed by capacity; ${host.name} keeps ${room.memoryMb} MiB, ${room.cpus} CPUs, ${room.tenants} slot${room.tenants === 1 ? "" : "s"} free` : `placed on ${host.name}, the only host`;
}

/** Validates the settings that will be written, ports included, as the program will read them. */
function checkFinalConfig(ref: string, settings: Record<string, SettingValue>): string | undefined {
    try {
        parseTenantConfig(settings, ref, `${ref}: `);
        return undefined;
    } catch (error) {
        if (error instanceof TenantConfigError) return error.problems.join("; ");
        throw error;
    }
}

/** Writes one tenant's part of the plan: creates its stack, or sets and unsets the changed keys. */
export async function applySyncItem(engine: StackEngine, plan: SyncPlan, ref: string): Promise<SyncItem> {
    const item = plan.items.find((candidate) => candidate.ref === ref);
    if (!item || (item.action !== "create" && item.action !== "update")) throw new Error(`${ref}: nothing to apply`);
    const settings = plan.desired.get(ref) ?? {};
    if (item.action === "create") {
        await engine.createStack(ref, settings, secretKeysOf(settings));
    } else {
        if (Object.keys(settings).length > 0) await engine.setConfig(ref, settings, secretKeysOf(settings));
        if (item.removedKeys.length > 0) await engine.removeConfig(ref, item.removedKeys);
    }
    return item;
}

/** Refs of the plan that need writing (create or update). */
export function refsToApply(plan: SyncPlan): string[] {
    return plan.items.filter((item) => item.action === "create" || item.action === "update").map((item) => item.ref);
}

/** Writes the plan: creates and updates run in parallel; one tenant's failure leaves the others alone. */
export async function applySync(engine: StackEngine, plan: SyncPlan, options: RunFleetOptions): Promise<FleetRunReport<SyncItem>> {
    return runFleet(refsToApply(plan), (ref) => applySyncItem(engine, plan, ref), options);
}

export function renderSyncPlan(plan: SyncPlan): string {
    const rows = plan.items.map((item) => [
        item.ref,
        item.action,
        item.host ?? "-",
        item.ports ? `${item.ports.kongHttpPort},${item.ports.kongHttpsPort},${item.ports.postgresPort},${item.ports.poolerTransactionPort}${item.allocatedPorts.length ? " (new)" : ""}` : "-",
        describeChanges(item),
    ]);
    return renderTable(["TENANT", "ACTION", "HOST", "PORTS (kong http,https, postgres, pooler)", "DETAIL"], rows);
}

function describeChanges(item: SyncItem): string {
    const parts: string[] = [];
    if (item.action === "update" && item.changedKeys.length) parts.push(`set ${item.changedKeys.join(", ")}`);
    if (item.removedKeys.length) parts.push(`unset ${item.removedKeys.join(", ")}`);
    if (item.note) parts.push(item.note);
    return parts.join("; ");
}

export function syncPlanJson(plan: SyncPlan): object[] {
    return plan.items.map((item) => ({ ...item }));
}
