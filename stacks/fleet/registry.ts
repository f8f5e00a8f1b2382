/**
 * The fleet registry (`fleet.yaml`): Docker hosts and tenants, each tenant merged over `defaults` and
 * validated with the same schema as a stack's config. Secrets never sit in it in plain text: they are
 * referenced as `{ fromEnv: VAR }` or left unset so the program generates them.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { OPAQUE_SECRET, parseTenantConfig, TenantConfigError } from "../../components/config/load.js";
import { FLEET_HOST_NAME, SECRET_SETTING_KEYS, SETTINGS, type TenantConfig } from "../../components/config/schema.js";
import { HOST_PROJECT_NAME } from "../../components/hostServices/catalog.js";
import { HOST_SECRET_KEYS, HostConfigError, parseHostConfig } from "../../components/hostServices/config.js";
import type { SettingValue } from "./engine.js";
import { newTenantReleaseSettings, PORT_KEYS } from "./stackConfig.js";

export interface PortRange {
    readonly from: number;
    readonly to: number;
}

export interface FleetHost {
    readonly name: string;
    readonly dockerHost: string;
    readonly portRange: PortRange;
    readonly bindAddress?: string;
    /** tcp:// hosts: the TLS client folder (ca.pem, cert.pem, key.pem) every tenant on the host uses. */
    readonly dockerTlsCertPath?: string;
    /** What the host offers tenants; placement of tenants without a host needs it on every host. */
    readonly capacity?: HostCapacity;
    /** The host's edge proxy (HTTPS hostnames for its tenants), run by the host's own stack. */
    readonly edge?: HostEdge;
}

export interface HostEdge {
    /** Tenants get `<ref>.<baseDomain>`. */
    readonly baseDomain: string;
    /** The host stack's settings fleet.yaml states (env references resolved), routes not included. */
    readonly settings: Readonly<Record<string, SettingValue>>;
}

export interface HostCapacity {
    readonly memoryMb: number;
    readonly cpus: number;
    /** Tenant slots: how many tenants the host takes at most. */
    readonly tenants: number;
}

export interface RegistryTenant {
    readonly ref: string;
    /**
     * The host fleet.yaml puts the tenant on (or the only host there is). Unset: placement decides, once,
     * by capacity, and the stack records it (fleetHost).
     */
    readonly host?: FleetHost;
    /** Settings the registry states for this tenant (defaults merged in, env references resolved, the host's own settings added once it has one), by bare key. */
    readonly settings: Readonly<Record<string, SettingValue>>;
    /** Fully validated config (schema defaults filled in); ports are the schema defaults until allocated. */
    readonly config: TenantConfig;
    /** Port settings given explicitly in the registry; the others are allocated. */
    readonly explicitPorts: Readonly<Partial<Record<(typeof PORT_KEYS)[number], number>>>;
}

export interface FleetRegistry {
    readonly source: string;
    /** `defaults` with env references resolved: also applied to tenants created outside the registry. */
    readonly defaults: Readonly<Record<string, unknown>>;
    readonly hosts: ReadonlyMap<string, FleetHost>;
    readonly tenants: readonly RegistryTenant[];
}

export class RegistryError extends Error {
    constructor(
        readonly source: string,
        readonly problems: readonly string[],
    ) {
        super(`${source} is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "RegistryError";
    }
}

/**
 * Used when fleet.yaml names no hosts: the local daemon and a range below Linux's ephemeral ports
 * (32768-60999 by default), where an outgoing connection could hold a tenant's port just when its
 * container starts ("address already in use"), and clear of Supabase CLI's 54321-54329.
 */
export const DEFAULT_HOST: FleetHost = {
    name: "local",
    dockerHost: "unix:///var/run/docker.sock",
    portRange: { from: 24400, to: 25399 },
};

/** Settings a tenant takes from its host entry, never from defaults or its own entry. */
const HOST_OWNED_KEYS = ["dockerHost", "dockerTlsCertPath", "fleetHost", "edgeHostname"] as const;

/** Tenant settings that need the edge hostname of the tenant's host: checked after placement. */
const PLACEMENT_CHECKED_KEYS = ["customDomains", "publishGatewayPorts"];

/** Host stack settings that come from the host entry itself, not from its edge: section. */
const EDGE_DERIVED_KEYS = ["host", "dockerHost", "dockerTlsCertPath", "routes"];

const portNumber = z.int({ error: "must be a whole number from 1 to 65535" }).min(1).max(65535, { error: "must be a whole number from 1 to 65535" });

const positive = (what: string, max: number, whole: boolean) =>
    (whole ? z.int({ error: `must be a whole number of ${what} from 1 to ${max}` }) : z.number({ error: `must be a number of ${what} above 0, at most ${max}` }))
        .gt(0, { error: `must be above 0 (${what})` })
        .max(max, { error: `must be at most ${max} (${what})` });

const capacityShape = z.strictObject(
    {
        memoryMb: positive("MiB", 16 * 1024 * 1024, true),
        cpus: positive("CPUs", 4096, false),
        tenants: positive("tenants", 10000, true),
    },
    { error: (issue) => (issue.code === "unrecognized_keys" ? "unknown key (allowed: memoryMb, cpus, tenants)" : "must be { memoryMb: <MiB>, cpus: <CPUs>, tenants: <slots> }, all three") },
);

const hostShape = z.strictObject(
    {
        dockerHost: SETTINGS.dockerHost.schema.unwrap(),
        portRange: z.strictObject({ from: portNumber, to: portNumber }, { error: "must be { from: <port>, to: <port> }" }),
        bindAddress: SETTINGS.bindAddress.schema.unwrap().optional(),
        dockerTlsCertPath: SETTINGS.dockerTlsCertPath.schema,
        capacity: capacityShape.optional(),
        // Checked by the host stack's own schema (parseHostConfig), the one source of truth for its settings.
        edge: z.record(z.string(), z.unknown(), { error: "must be a mapping of edge proxy settings (baseDomain, tls, ...)" }).optional(),
    },
    { error: (issue) => (issue.code === "unrecognized_keys" ? "unknown key (allowed: dockerHost, portRange, bindAddress, dockerTlsCertPath, capacity, edge)" : "must be a mapping with dockerHost and portRange") },
);

const registryShape = z.strictObject(
    {
        defaults: z.record(z.string(), z.unknown(), { error: "must be a mapping of setting: value" }).optional(),
        hosts: z
            .record(z.string().regex(FLEET_HOST_NAME, { error: "host names must be lowercase letters, digits and hyphens" }).max(63, { error: "host names must be at most 63 characters" }), hostShape)
            .optional(),
        tenants: z.array(z.record(z.string(), z.unknown(), { error: "each tenant must be a mapping with at least ref" }), {
            error: "must be a list of tenants (- ref: <ref> ...)",
        }),
    },
    { error: (issue) => (issue.code === "unrecognized_keys" ? "unknown key (allowed: defaults, hosts, tenants)" : undefined) },
);

export interface RegistryReadOptions {
    /**
     * For commands that only read (list, status, outputs): a `{ fromEnv: VAR }` whose variable is
     * not set is not a problem. A secret setting then holds OPAQUE_SECRET (set, value unknown) and
     * any other setting is left unset, so such a registry is never used to write stack config.
     */
    readonly unresolvedEnv?: "refuse" | "tolerate";
}

/** `displayName` is how messages name the file (the path as the operator gave it). */
export function loadRegistry(path: string, env: NodeJS.ProcessEnv = process.env, displayName = path, options: RegistryReadOptions = {}): FleetRegistry {
    let text: string;
    try {
        text = readFileSync(path, "utf8");
    } catch (error) {
        throw new RegistryError(displayName, [`cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`]);
    }
    let document: unknown;
    try {
        document = parseYaml(text);
    } catch (error) {
        throw new RegistryError(displayName, [`is not valid YAML: ${(error as Error).message.split("\n")[0]}`]);
    }
    return parseRegistry(document, displayName, env, options);
}

export function parseRegistry(document: unknown, source: string, env: NodeJS.ProcessEnv = process.env, options: RegistryReadOptions = {}): FleetRegistry {
    const lookup: EnvLookup = { env, tolerateUnset: options.unresolvedEnv === "tolerate" };
    const parsed = registryShape.safeParse(document ?? {});
    if (!parsed.success) {
        throw new RegistryError(
            source,
            parsed.error.issues.map((issue) => `${issue.path.length ? issue.path.map(String).join(".") : "(top level)"}: ${issue.message}`),
        );
    }
    const problems: string[] = [];
    const hosts = new Map<string, FleetHost>();
    for (const [name, host] of Object.entries(parsed.data.hosts ?? {})) {
        if (host.portRange.to - host.portRange.from + 1 < PORT_KEYS.length) {
            problems.push(`hosts.${name}.portRange: must span at least ${PORT_KEYS.length} ports (from ${host.portRange.from} to ${host.portRange.to})`);
        }
        const tcp = host.dockerHost.startsWith("tcp://");
        if (tcp && !host.dockerTlsCertPath) problems.push(`hosts.${name}.dockerTlsCertPath: is required with a tcp:// dockerHost: a folder with ca.pem, cert.pem and key.pem (the daemon is reached only over verified TLS)`);
        if (!tcp && host.dockerTlsCertPath) problems.push(`hosts.${name}.dockerTlsCertPath: only applies to a tcp:// dockerHost`);
        hosts.set(name, {
            name,
            dockerHost: host.dockerHost,
            portRange: host.portRange,
            ...(host.bindAddress ? { bindAddress: host.bindAddress } : {}),
            ...(host.dockerTlsCertPath ? { dockerTlsCertPath: host.dockerTlsCertPath } : {}),
            ...(host.capacity ? { capacity: host.capacity } : {}),
            ...(host.edge ? parseEdge(name, host, lookup, problems) : {}),
        });
    }
    checkRangesDisjointPerDaemon(hosts, problems);
    checkOneEdgePerDaemon(hosts, problems);

    const defaults = resolveValues(parsed.data.defaults ?? {}, "defaults.", lookup, problems);
    for (const key of ["ref", ...HOST_OWNED_KEYS, "host"]) {
        if (key in (parsed.data.defaults ?? {})) problems.push(`defaults.${key}: cannot be a default (${key === "ref" ? "each tenant has its own ref" : `set host: <name> per tenant; ${key === "host" ? "dockerHost" : key} comes from hosts.<name>`})`);
    }

    const tenants: RegistryTenant[] = [];
    const seenRefs = new Map<string, number>();
    parsed.data.tenants.forEach((entry, index) => {
        const label = `tenants[${index}]${typeof entry.ref === "string" ? ` (${entry.ref})` : ""}`;
        if (typeof entry.ref === "string") {
            const earlier = seenRefs.get(entry.ref);
            if (earlier !== undefined) {
                problems.push(`${label}.ref: "${entry.ref}" is listed twice (also tenants[${earlier}]); refs must be unique`);
                return;
            }
            seenRefs.set(entry.ref, index);
        }
        const tenant = parseTenant(entry, label, defaults, hosts, lookup, problems);
        if (tenant) tenants.push(tenant);
    });
    if (problems.length > 0) throw new RegistryError(source, problems);
    return { source, defaults, hosts, tenants };
}

function parseTenant(
    entry: Record<string, unknown>,
    label: string,
    defaults: Record<string, unknown>,
    hosts: ReadonlyMap<string, FleetHost>,
    lookup: EnvLookup,
    problems: string[],
): RegistryTenant | undefined {
    const { host: hostName, ...rest } = entry;
    const before = problems.length;
    if (entry.ref === undefined) problems.push(`${label}.ref: is required`);
    for (const key of HOST_OWNED_KEYS) if (key in rest) problems.push(`${label}.${key}: set host: <name> instead; ${key} comes from hosts.<name>`);
    const host = pickHost(hostName, hosts, label, problems);
    const own = resolveValues(rest, `${label}.`, lookup, problems);
    if (problems.length > before || host === null) return undefined;

    const settings = host ? withHostSettings({ ...defaults, ...own }, host, hosts.size > 0) : { ...defaults, ...own };
    let config: TenantConfig;
    try {
        // Checked as a new tenant would be created; an existing stack's recorded release is checked by sync.
        // A tenant still to be placed has no edge hostname yet: the settings that need one are checked
        // once placement has chosen its host (sync validates the final settings).
        const checked = host ? settings : { ...settings, ...Object.fromEntries(PLACEMENT_CHECKED_KEYS.map((key) => [key, undefined])) };
        config = parseTenantConfig({ ...newTenantReleaseSettings(settings), ...checked }, label, `${label}.`);
    } catch (error) {
        if (!(error instanceof TenantConfigError)) throw error;
        problems.push(...error.problems);
        return undefined;
    }
    const explicitPorts: Partial<Record<(typeof PORT_KEYS)[number], number>> = {};
    for (const key of PORT_KEYS) if (settings[key] !== undefined) explicitPorts[key] = config[key];
    // Keep the typed value of every key the registry states: that is what gets written to stack config.
    const stated = Object.fromEntries(
        Object.keys(settings).map((key) => [key, (host || !PLACEMENT_CHECKED_KEYS.includes(key) ? config[key as keyof TenantConfig] : settings[key]) as SettingValue]),
    );
    return { ref: config.ref, ...(host ? { host } : {}), settings: stated, config, explicitPorts };
}

/**
 * The settings a tenant takes from the host it runs on, over its own: the daemon, its TLS folder, the
 * host's bind address unless the tenant states one, and (with a hosts section) the host's name.
 */
export function withHostSettings<T>(settings: Readonly<Record<string, T>>, host: FleetHost, recordName: boolean): Record<string, T | string> {
    const merged: Record<string, T | string> = { ...settings, dockerHost: host.dockerHost, ...(host.dockerTlsCertPath ? { dockerTlsCertPath: host.dockerTlsCertPath } : {}) };
    if (host.bindAddress !== undefined && merged.bindAddress === undefined) merged.bindAddress = host.bindAddress;
    if (recordName) merged.fleetHost = host.name;
    // Behind the host's edge proxy: the tenant's hostname under the host's base domain.
    if (host.edge && typeof merged.ref === "string") merged.edgeHostname = `${merged.ref}.${host.edge.baseDomain}`;
    return merged;
}

/**
 * The host fleet.yaml names; undefined: none named, so the stack's record or (for a new tenant) placement
 * decides, even with one host, so that removing a host never moves its tenants; null: a problem was reported.
 */
function pickHost(hostName: unknown, hosts: ReadonlyMap<string, FleetHost>, label: string, problems: string[]): FleetHost | undefined | null {
    if (hostName === undefined) return hosts.size === 0 ? DEFAULT_HOST : undefined;
    if (typeof hostName !== "string" || !hosts.has(hostName)) {
        const known = hosts.size ? [...hosts.keys()].join(", ") : "none; add a hosts: section";
        problems.push(`${label}.host: unknown host ${JSON.stringify(hostName)} (defined hosts: ${known})`);
        return null;
    }
    return hosts.get(hostName)!;
}

interface EnvLookup {
    readonly env: NodeJS.ProcessEnv;
    readonly tolerateUnset: boolean;
}

/** Resolves `{ fromEnv: VAR }` references and refuses plain-text secrets. */
function resolveValues(values: Record<string, unknown>, prefix: string, lookup: EnvLookup, problems: string[]): Record<string, unknown> {
    const resolved: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) {
        if (isEnvReference(value)) {
            const fromEnv = lookup.env[value.fromEnv];
            if (fromEnv !== undefined && fromEnv !== "") resolved[key] = fromEnv;
            else if (!lookup.tolerateUnset) problems.push(`${prefix}${key}: environment variable ${value.fromEnv} is not set (referenced by fromEnv)`);
            else if ((SECRET_SETTING_KEYS as readonly string[]).includes(key)) resolved[key] = OPAQUE_SECRET;
            continue;
        }
        if ((SECRET_SETTING_KEYS as readonly string[]).includes(key) && value !== undefined && value !== null) {
            problems.push(`${prefix}${key}: is a secret and must not be written in the registry; use { fromEnv: VARIABLE } or leave it unset to have it generated`);
            continue;
        }
        resolved[key] = value;
    }
    return resolved;
}

function isEnvReference(value: unknown): value is { fromEnv: string } {
    return typeof value === "object" && value !== null && !Array.isArray(value) && typeof (value as { fromEnv?: unknown }).fromEnv === "string" && Object.keys(value).length === 1;
}

/** A host's edge: section, checked with the host stack's schema as the host stack will read it. */
function parseEdge(
    name: string,
    host: { dockerHost: string; dockerTlsCertPath?: string | undefined; edge?: Record<string, unknown> | undefined },
    lookup: EnvLookup,
    problems: string[],
): { edge: HostEdge } | Record<string, never> {
    const prefix = `hosts.${name}.edge.`;
    const before = problems.length;
    const stated: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(host.edge ?? {})) {
        if (EDGE_DERIVED_KEYS.includes(key)) {
            problems.push(`${prefix}${key}: comes from the host entry (and its tenants), not from edge:`);
            continue;
        }
        const secret = (HOST_SECRET_KEYS as readonly string[]).includes(key);
        if (isEnvReference(value)) {
            const fromEnv = lookup.env[value.fromEnv];
            if (!secret) problems.push(`${prefix}${key}: only secrets are read from the environment (${HOST_SECRET_KEYS.join(", ")})`);
            else if (fromEnv !== undefined && fromEnv !== "") stated[key] = fromEnv;
            else if (!lookup.tolerateUnset) problems.push(`${prefix}${key}: environment variable ${value.fromEnv} is not set (referenced by fromEnv)`);
            else stated[key] = OPAQUE_SECRET;
            continue;
        }
        if (secret) {
            problems.push(`${prefix}${key}: is a secret and must not be written in the registry; use { fromEnv: VARIABLE }`);
            continue;
        }
        stated[key] = value;
    }
    if (problems.length > before) return {};
    try {
        const tolerated = stated.acmeDnsApiToken === OPAQUE_SECRET ? { ...stated, acmeDnsApiToken: "unknown-token" } : stated;
        const config = parseHostConfig({ ...tolerated, host: name, dockerHost: host.dockerHost, ...(host.dockerTlsCertPath ? { dockerTlsCertPath: host.dockerTlsCertPath } : {}) });
        return { edge: { baseDomain: config.baseDomain, settings: stated as Record<string, SettingValue> } };
    } catch (error) {
        if (!(error instanceof HostConfigError)) throw error;
        problems.push(...error.problems.map((problem) => problem.replace(`${HOST_PROJECT_NAME}:`, prefix)));
        return {};
    }
}

/** One edge proxy per daemon: it publishes the host's HTTP(S) ports and owns the edge network. */
function checkOneEdgePerDaemon(hosts: ReadonlyMap<string, FleetHost>, problems: string[]): void {
    const owner = new Map<string, string>();
    for (const host of hosts.values()) {
        if (!host.edge) continue;
        const first = owner.get(host.dockerHost);
        if (first !== undefined) problems.push(`hosts.${host.name}.edge: hosts.${first} already runs the edge proxy of Docker host ${host.dockerHost}; one host entry per daemon may have edge:`);
        else owner.set(host.dockerHost, host.name);
    }
}

/** Two host entries that point at one daemon must not hand out the same ports. */
function checkRangesDisjointPerDaemon(hosts: ReadonlyMap<string, FleetHost>, problems: string[]): void {
    const list = [...hosts.values()];
    for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
            const a = list[i]!;
            const b = list[j]!;
            if (a.dockerHost === b.dockerHost && a.portRange.from <= b.portRange.to && b.portRange.from <= a.portRange.to) {
                problems.push(`hosts.${b.name}.portRange: overlaps hosts.${a.name}.portRange on the same Docker host ${a.dockerHost}`);
            }
        }
    }
}

export function findTenant(registry: FleetRegistry | undefined, ref: string): RegistryTenant | undefined {
    return registry?.tenants.find((tenant) => tenant.ref === ref);
}
