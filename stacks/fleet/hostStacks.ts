/**
 * Host stacks: one per fleet.yaml host with an `edge:` section, in the host project
 * (components/hostServices). `fleet sync` plans them from the registry and from the tenants' own
 * plan (each tenant's hostnames become a route of its host's proxy), writes them with the tenants,
 * and with --up deploys them before any tenant, so a tenant never comes up before its proxy.
 */
import { HOST_SECRET_KEYS, HostConfigError, hostConfigSettings, parseHostConfig, type EdgeRoute } from "../../components/hostServices/config.js";
import { EDGE_GUARD_SUFFIX, HOST_PROJECT_NAME } from "../../components/hostServices/catalog.js";
import { settingOrDefault } from "../../components/config/load.js";
import type { SettingValue, StackEngine } from "./engine.js";
import { readAllConfigs } from "./fleetConfigs.js";
import { recordedHost } from "./placement.js";
import type { FleetHost, FleetRegistry } from "./registry.js";
import { renderTable } from "./table.js";

export type HostStackAction = "create" | "update" | "unchanged" | "invalid" | "unmanaged";

export interface HostStackItem {
    readonly host: string;
    readonly action: HostStackAction;
    readonly changedKeys: readonly string[];
    readonly removedKeys: readonly string[];
    /** Hostnames the proxy will route, by tenant. */
    readonly routes: Readonly<Record<string, readonly string[]>>;
    /** The stack was never deployed (or holds nothing): --up deploys it even when its config is unchanged. */
    readonly undeployed: boolean;
    readonly note?: string;
}

export interface HostStackPlan {
    readonly items: readonly HostStackItem[];
    /** Settings to write per host stack; kept apart from the items so they are never printed. */
    readonly desired: ReadonlyMap<string, Readonly<Record<string, SettingValue>>>;
}

/**
 * Upload headroom over the tenant's file size limit: a multipart upload carries the file plus its
 * form framing, and storage itself refuses a file over the limit with a clear error.
 */
const BODY_HEADROOM_BYTES = 1024 * 1024;

/** A tenant's route from the settings its stack will have, or undefined when it is not behind the proxy. */
export function routeOf(ref: string, settings: Readonly<Record<string, unknown>>): EdgeRoute | undefined {
    const hostname = settings.edgeHostname;
    if (typeof hostname !== "string" || hostname === "") return undefined;
    const custom = decodeList(settings.customDomains);
    const limit = settingOrDefault("storageFileSizeLimitBytes", settings.storageFileSizeLimitBytes);
    return { ref, hostnames: [hostname, ...custom], maxBodyBytes: limit + BODY_HEADROOM_BYTES };
}

function decodeList(value: unknown): string[] {
    if (Array.isArray(value)) return value.filter((entry): entry is string => typeof entry === "string");
    if (typeof value === "string" && value !== "") {
        try {
            const parsed = JSON.parse(value) as unknown;
            return Array.isArray(parsed) ? parsed.filter((entry): entry is string => typeof entry === "string") : [];
        } catch {
            return [];
        }
    }
    return [];
}

/**
 * What the host stacks should be. `tenantRoutes`: the routes of the registry's tenants, by host name,
 * as the tenants' sync plan will write them. Deployed stacks the registry no longer lists keep their
 * route until they are destroyed: a tenant that still runs stays reachable.
 */
export async function planHostStacks(
    hostEngine: StackEngine,
    registry: FleetRegistry,
    tenantRoutes: ReadonlyMap<string, readonly EdgeRoute[]>,
    tenantStacks: { readonly configs: ReadonlyMap<string, Readonly<Record<string, string>>>; readonly deployed: ReadonlySet<string> },
): Promise<HostStackPlan> {
    const edgeHosts = [...registry.hosts.values()].filter((host) => host.edge !== undefined);
    const stacks = await hostEngine.listStacks();
    const existing = new Map(stacks.map((stack) => [stack.ref, stack]));
    const current = await readAllConfigs(hostEngine, edgeHosts.map((host) => host.name).filter((name) => existing.has(name)));
    const registered = new Set(registry.tenants.map((tenant) => tenant.ref));

    const items: HostStackItem[] = [];
    const desired = new Map<string, Record<string, SettingValue>>();
    for (const host of edgeHosts) {
        const routes = [...(tenantRoutes.get(host.name) ?? [])];
        for (const [ref, config] of [...tenantStacks.configs].sort(([a], [b]) => a.localeCompare(b))) {
            if (registered.has(ref) || !tenantStacks.deployed.has(ref) || recordedHost(config, registry.hosts)?.name !== host.name) continue;
            const route = routeOf(ref, config);
            if (route) routes.push(route);
        }
        const settings = hostSettings(host, routes);
        const routeList = Object.fromEntries(routes.map((route) => [route.ref, route.hostnames]));
        try {
            parseHostConfig(settings);
        } catch (error) {
            if (!(error instanceof HostConfigError)) throw error;
            items.push({ host: host.name, action: "invalid", changedKeys: [], removedKeys: [], routes: routeList, undeployed: false, note: error.problems.map((problem) => problem.replace(`${HOST_PROJECT_NAME}:`, "")).join("; ") });
            continue;
        }
        const stack = existing.get(host.name);
        const undeployed = (stack?.resourceCount ?? 0) === 0;
        const base = { host: host.name, routes: routeList, undeployed };
        if (!stack) {
            desired.set(host.name, settings);
            items.push({ ...base, action: "create", changedKeys: Object.keys(settings).sort(), removedKeys: [] });
            continue;
        }
        const own = current.get(host.name) ?? {};
        const changedKeys = Object.keys(settings).filter((key) => own[key] !== settings[key]).sort();
        const removedKeys = Object.keys(own).filter((key) => settings[key] === undefined).sort();
        if (changedKeys.length === 0 && removedKeys.length === 0) {
            items.push({ ...base, action: "unchanged", changedKeys, removedKeys });
            continue;
        }
        desired.set(host.name, Object.fromEntries(changedKeys.map((key) => [key, settings[key]!])));
        items.push({ ...base, action: "update", changedKeys, removedKeys });
    }
    // Left as they are: a proxy may still serve tenants, and only the operator decides it goes.
    const planned = new Set(edgeHosts.map((host) => host.name));
    for (const stack of stacks.filter((candidate) => !planned.has(candidate.ref)).sort((a, b) => a.ref.localeCompare(b.ref))) {
        const note = `no host with an edge: section of that name in fleet.yaml; fleet destroy-host ${stack.ref} --yes removes it`;
        items.push({ host: stack.ref, action: "unmanaged", changedKeys: [], removedKeys: [], routes: {}, undeployed: (stack.resourceCount ?? 0) === 0, note });
    }
    return { items, desired };
}

/** The host stack's settings: the host entry, its edge: section and the routes, as config strings. */
function hostSettings(host: FleetHost, routes: readonly EdgeRoute[]): Record<string, string> {
    return hostConfigSettings({
        ...host.edge!.settings,
        host: host.name,
        dockerHost: host.dockerHost,
        ...(host.dockerTlsCertPath ? { dockerTlsCertPath: host.dockerTlsCertPath } : {}),
        routes: [...routes].sort((a, b) => a.ref.localeCompare(b.ref)),
    });
}

export async function applyHostStackItem(hostEngine: StackEngine, plan: HostStackPlan, host: string): Promise<HostStackItem> {
    const item = plan.items.find((candidate) => candidate.host === host);
    if (!item || (item.action !== "create" && item.action !== "update")) throw new Error(`host ${host}: nothing to apply`);
    const settings = plan.desired.get(host) ?? {};
    const secretKeys = HOST_SECRET_KEYS.filter((key) => settings[key] !== undefined);
    if (item.action === "create") await hostEngine.createStack(host, settings, secretKeys);
    else {
        if (Object.keys(settings).length > 0) await hostEngine.setConfig(host, settings, secretKeys);
        if (item.removedKeys.length > 0) await hostEngine.removeConfig(host, item.removedKeys);
    }
    return item;
}

/** Host stacks that --up deploys: written now, or never deployed. */
export function hostStacksToDeploy(plan: HostStackPlan): string[] {
    return plan.items.filter((item) => item.action === "create" || item.action === "update" || (item.action === "unchanged" && item.undeployed)).map((item) => item.host);
}

export function renderHostStackPlan(plan: HostStackPlan): string {
    const rows = plan.items.map((item) => {
        const routes = Object.entries(item.routes).map(([ref, hostnames]) => `${ref}: ${hostnames.join(" ")}`);
        const detail = [
            item.action === "update" && item.changedKeys.length ? `set ${item.changedKeys.join(", ")}` : "",
            item.removedKeys.length ? `unset ${item.removedKeys.join(", ")}` : "",
            item.note ?? "",
        ].filter((part) => part !== "");
        return [item.host, item.action, routes.length ? routes.join("; ") : "(no tenants)", detail.join("; ")];
    });
    return renderTable(["HOST STACK", "ACTION", "ROUTES", "DETAIL"], rows);
}

/**
 * Checks that a host stack may go: it exists, fleet.yaml no longer gives its host an edge: section
 * (sync would deploy it again), and no deployed tenant on its Docker host is routed through it (its
 * gateway publishes no port of its own, so it would be unreachable). Returns the stack's Docker host.
 */
export async function checkHostStackRemovable(hostEngine: StackEngine, tenantEngine: StackEngine, registry: FleetRegistry | undefined, name: string): Promise<string> {
    const stacks = await hostEngine.listStacks();
    if (!stacks.some((stack) => stack.ref === name)) {
        throw new HostStackRemovalError(`no host stack named ${name} (host stacks: ${stacks.map((stack) => stack.ref).join(", ") || "none"})`);
    }
    if (registry?.hosts.get(name)?.edge !== undefined) {
        throw new HostStackRemovalError(`host ${name} still has an edge: section in ${registry.source}: remove it first, or fleet sync deploys the host stack again`);
    }
    const dockerHost = (await hostEngine.getConfig(name)).dockerHost ?? settingOrDefault("dockerHost", undefined);
    const deployed = (await tenantEngine.listStacks()).filter((stack) => (stack.resourceCount ?? 0) > 0).map((stack) => stack.ref);
    const configs = await readAllConfigs(tenantEngine, deployed);
    const onHost = [...configs].filter(([, config]) => settingOrDefault("dockerHost", config.dockerHost) === dockerHost);
    // Routed now (its config) or when it was last deployed (its state holds the edge guard): a config
    // already rewritten by sync says nothing of the containers still running behind the proxy.
    const routed: string[] = [];
    for (const [ref, config] of onHost) {
        if (routeOf(ref, config) !== undefined || (await deployedBehindEdge(tenantEngine, ref))) routed.push(ref);
    }
    routed.sort();
    if (routed.length > 0) {
        throw new HostStackRemovalError(`host stack ${name} still routes deployed tenants ${routed.join(", ")}, which publish no gateway port without it: destroy or move them first`);
    }
    return dockerHost;
}

async function deployedBehindEdge(tenantEngine: StackEngine, ref: string): Promise<boolean> {
    const resources = (await tenantEngine.exportState(ref)).deployment.resources ?? [];
    return resources.some((resource) => resource.urn.endsWith(`::${ref}${EDGE_GUARD_SUFFIX}`));
}

export class HostStackRemovalError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "HostStackRemovalError";
    }
}
