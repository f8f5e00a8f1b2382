/**
 * The fleet's operations on single tenants, over a StackEngine (Pulumi) and Docker hosts. Commands
 * that touch many tenants run these through `runFleet`; each one honours the run's AbortSignal.
 */
import { OperationFailedError, type OperationOutcome, type OperationProgress, type SettingValue, type StackEngine, type StackOutput, type StackPreview } from "./engine.js";
import { dockerConnectionOf, portClaims, readAllConfigs } from "./fleetConfigs.js";
import { PortAllocator } from "./portAllocator.js";
import type { DockerConnection, LogLine, LogOptions, TenantDockerHost, TenantDockerHostFactory } from "./ports.js";
import { hostForNewTenant, hostUse, PlacementError } from "./placement.js";
import { DEFAULT_HOST, findTenant, withHostSettings, type FleetHost, type FleetRegistry, type RegistryTenant } from "./registry.js";
import { newTenantReleaseSettings, secretKeysOf, tenantConfigFromStack, type PortKey, type TenantPorts } from "./stackConfig.js";
import { errorFirstLine } from "./table.js";
import { parseTenantConfig, TenantConfigError } from "../../components/config/load.js";
import { SETTINGS, type TenantConfig } from "../../components/config/schema.js";
import { declaredLimits } from "../../components/services/index.js";
import { RELEASES, serviceImage } from "../../components/releases.js";

/** A mistake in what the operator asked for (unknown tenant, bad flag combination): exit code 2. */
export class FleetUsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "FleetUsageError";
    }
}

export class DockerUnreachableError extends Error {
    constructor(
        readonly dockerHost: string,
        cause: unknown,
    ) {
        super(`Docker host ${dockerHost} cannot be reached: ${cause instanceof Error ? cause.message : String(cause)}`);
        this.name = "DockerUnreachableError";
    }
}

export interface FleetDeps {
    readonly engine: StackEngine;
    /** The host stacks' engine (project supabase-fleet-host): the edge proxies of fleet.yaml's hosts. */
    readonly hostEngine?: StackEngine;
    readonly dockerHosts: TenantDockerHostFactory;
    /** The parsed fleet.yaml; undefined when there is none. */
    readonly registry?: FleetRegistry;
    /** The pause before a failed destroy is tried once more (default DESTROY_RETRY_PAUSE_MS). */
    readonly destroyRetryPauseMs?: number;
}

/**
 * A failed destroy is tried once more after this pause. Pulumi resumes a destroy where it stopped, and
 * a loaded Docker daemon can hold on to a removed container's volume or network endpoint for longer
 * than the Docker provider waits (30 s); the second try finds them free.
 */
export const DESTROY_RETRY_PAUSE_MS = 5_000;

export interface RunContext {
    readonly signal?: AbortSignal;
    readonly onProgress?: (progress: OperationProgress) => void;
}

export interface CreatedTenant {
    readonly ref: string;
    readonly host: string;
    readonly dockerHost: string;
    readonly ports: TenantPorts;
    readonly allocatedPorts: readonly PortKey[];
    /** The ref is not in fleet.yaml: `sync` will report it as unmanaged. */
    readonly unmanaged: boolean;
}

export interface DestroyedTenant {
    readonly ref: string;
    readonly changes: OperationOutcome["changes"];
    readonly dataDeleted: boolean;
    /** The tenant's empty log-socket folder, left on its host because it could not be removed, and why. */
    readonly logFolderLeft?: string;
    /** Why the first try failed, when the second one did the destroy (see DESTROY_RETRY_PAUSE_MS). */
    readonly firstTryError?: string;
}

export interface OrphanTenant {
    readonly ref: string;
    readonly dockerHost: string;
}

/** One host object per daemon and TLS folder. */
const connectionKey = (connection: DockerConnection): string => `${connection.dockerHost} ${connection.dockerTlsCertPath ?? ""}`;

export class Fleet {
    readonly engine: StackEngine;
    readonly hostEngine: StackEngine | undefined;
    readonly registry: FleetRegistry | undefined;
    private readonly dockerFactory: TenantDockerHostFactory;
    private readonly dockerHosts = new Map<string, TenantDockerHost>();
    /** One ping per Docker host and Fleet instance: a run touches each daemon once to check it. */
    private readonly pings = new Map<string, Promise<void>>();
    private readonly destroyRetryPauseMs: number;

    constructor(deps: FleetDeps) {
        this.destroyRetryPauseMs = deps.destroyRetryPauseMs ?? DESTROY_RETRY_PAUSE_MS;
        this.engine = deps.engine;
        this.hostEngine = deps.hostEngine;
        this.registry = deps.registry;
        this.dockerFactory = deps.dockerHosts;
    }

    docker(connection: DockerConnection): TenantDockerHost {
        const key = connectionKey(connection);
        let host = this.dockerHosts.get(key);
        if (!host) {
            const { dockerHost, dockerTlsCertPath } = connection;
            host = dockerTlsCertPath === undefined ? this.dockerFactory(dockerHost) : this.dockerFactory(dockerHost, { tlsCertPath: dockerTlsCertPath });
            this.dockerHosts.set(key, host);
        }
        return host;
    }

    async ensureReachable(connection: DockerConnection): Promise<void> {
        const key = connectionKey(connection);
        let ping = this.pings.get(key);
        if (!ping) {
            ping = Promise.resolve()
                .then(() => this.docker(connection).ping())
                .catch((error: unknown) => {
                    throw new DockerUnreachableError(connection.dockerHost, error);
                });
            this.pings.set(key, ping);
        }
        await ping;
    }

    /** The refs a multi-tenant command acts on: named ones (each must exist) or every stack with --all. */
    async resolveRefs(refs: readonly string[], all: boolean): Promise<string[]> {
        if (all && refs.length > 0) throw new FleetUsageError("give tenant refs or --all, not both");
        if (!all && refs.length === 0) throw new FleetUsageError("name at least one tenant ref, or pass --all for every tenant");
        const existing = (await this.engine.listStacks()).map((stack) => stack.ref);
        if (all) return existing;
        const unknown = refs.filter((ref) => !existing.includes(ref));
        if (unknown.length > 0) {
            throw new FleetUsageError(`unknown tenant${unknown.length > 1 ? "s" : ""} ${unknown.map((r) => `"${r}"`).join(", ")}: no such stack in ${this.engine.backendDescription} (fleet list shows the tenants; fleet create <ref> or fleet sync makes one)`);
        }
        return [...new Set(refs)];
    }

    /**
     * Creates the tenant's stack with its config and allocated ports. Nothing is left behind when it
     * fails. Checks the Docker host first unless `skipDockerCheck` (config-only creation).
     */
    async create(ref: string, options: { hostName?: string; skipDockerCheck?: boolean; release?: string } = {}): Promise<CreatedTenant> {
        const refCheck = SETTINGS.ref.schema.safeParse(ref);
        if (!refCheck.success) throw new FleetUsageError(`tenant ref "${ref}": ${refCheck.error.issues[0]?.message ?? "is not valid"}`);
        const registered = findTenant(this.registry, ref);
        if (registered?.host && options.hostName && options.hostName !== registered.host.name) {
            throw new FleetUsageError(`--host ${options.hostName}: ${ref} is placed on host ${registered.host.name} in ${this.registry!.source}; change it there`);
        }
        const stacks = await this.engine.listStacks();
        if (stacks.some((stack) => stack.ref === ref)) {
            throw new FleetUsageError(`tenant "${ref}" already exists; fleet up ${ref} deploys it, fleet destroy ${ref} removes it`);
        }
        const configs = await readAllConfigs(this.engine, stacks.map((stack) => stack.ref));
        const host = this.hostForNewTenant(ref, registered, options.hostName, configs);
        const baseSettings = registered ? withHostSettings(registered.settings, host, this.registry!.hosts.size > 0) : this.adHocSettings(ref, host).settings;
        if (options.release !== undefined) {
            // A restore needs the release of its backup; a registry entry that states another one wins, and says so.
            if (registered?.settings.release !== undefined && registered.settings.release !== options.release) {
                throw new FleetUsageError(`${ref} is declared with release ${String(registered.settings.release)} in ${this.registry!.source}, but the backup is of release ${options.release}; restore into a tenant of the backup's release`);
            }
            baseSettings.release = options.release;
            delete baseSettings.dbDataPostgresMajor;
        }
        if (!options.skipDockerCheck) await this.ensureReachable(host);

        const allocator = new PortAllocator(portClaims(configs, this.registry));
        const assignment = allocator.assign({ ref, host, explicit: registered?.explicitPorts ?? {} });
        const settings = { ...newTenantReleaseSettings(baseSettings), ...baseSettings, ...assignment.ports };
        parseTenantConfig(settings, `tenant ${ref}`, `${ref}: `); // same checks the program will run
        await this.engine.createStack(ref, settings, secretKeysOf(settings));
        return { ref, host: host.name, dockerHost: host.dockerHost, ports: assignment.ports, allocatedPorts: assignment.allocated, unmanaged: registered === undefined && this.registry !== undefined };
    }

    /**
     * Where a new tenant goes: `--host` if given, else the host fleet.yaml names, else placement by
     * capacity (as `fleet sync` places); refused when it does not fit the host's declared capacity.
     */
    private hostForNewTenant(ref: string, registered: RegistryTenant | undefined, hostName: string | undefined, configs: ReadonlyMap<string, Record<string, string>>): FleetHost {
        const hosts = this.registry?.hosts ?? new Map<string, FleetHost>();
        const named = registered?.host ?? (hostName !== undefined || hosts.size === 0 ? this.pickHost(hostName) : undefined);
        const limits = declaredLimits(registered?.config ?? this.adHocSettings(ref, undefined).config);
        try {
            return hostForNewTenant(ref, limits, named, hosts, hostUse(configs, hosts));
        } catch (error) {
            if (error instanceof PlacementError) throw new FleetUsageError(error.message);
            throw error;
        }
    }

    /** The fleet.yaml host a tenant runs on: the one fleet.yaml names, else the one its stack recorded (undefined: neither). */
    async hostNameOf(ref: string): Promise<string | undefined> {
        const stated = findTenant(this.registry, ref)?.host?.name;
        if (stated !== undefined || !this.registry) return stated;
        if (!(await this.engine.listStacks()).some((stack) => stack.ref === ref)) return undefined;
        return (await this.engine.getConfig(ref)).fleetHost;
    }

    /** A tenant outside the registry: the registry's defaults, its host (once it has one), and nothing else. */
    private adHocSettings(ref: string, host: FleetHost | undefined): { settings: Record<string, SettingValue>; config: TenantConfig } {
        const stated = { ...(this.registry?.defaults ?? {}), ref };
        const raw: Record<string, unknown> = host ? withHostSettings(stated, host, (this.registry?.hosts.size ?? 0) > 0) : stated;
        const hint = this.registry ? `add ${ref} to ${this.registry.source} with its settings` : "create fleet.yaml (see fleet.example.yaml) and list the tenant with its settings";
        let config: TenantConfig;
        try {
            config = parseTenantConfig(raw, `tenant ${ref}`, `${ref}: `);
        } catch (error) {
            if (error instanceof TenantConfigError) throw new FleetUsageError(`${ref} cannot be created from defaults alone: ${error.problems.join("; ")}; ${hint}`);
            throw error;
        }
        return { settings: Object.fromEntries(Object.keys(raw).map((key) => [key, config[key as keyof TenantConfig] as SettingValue])), config };
    }

    private pickHost(hostName: string | undefined): FleetHost {
        const hosts = this.registry?.hosts ?? new Map<string, FleetHost>();
        if (hostName !== undefined) {
            const host = hosts.get(hostName) ?? (hostName === DEFAULT_HOST.name && hosts.size === 0 ? DEFAULT_HOST : undefined);
            if (!host) throw new FleetUsageError(`--host ${hostName}: unknown host (defined: ${hosts.size ? [...hosts.keys()].join(", ") : `${DEFAULT_HOST.name} (the default; add hosts to fleet.yaml for others)`})`);
            return host;
        }
        return DEFAULT_HOST;
    }

    async up(ref: string, context: RunContext = {}): Promise<OperationOutcome> {
        await this.engine.checkUnlocked(ref);
        await this.ensureReachable(dockerConnectionOf(await this.engine.getConfig(ref)));
        return this.engine.up(ref, this.operationOptions(context));
    }

    async preview(ref: string, diff: boolean, context: RunContext = {}): Promise<StackPreview> {
        return this.engine.preview(ref, { diff, ...(context.signal ? { signal: context.signal } : {}) });
    }

    async refresh(ref: string, context: RunContext = {}): Promise<OperationOutcome> {
        await this.engine.checkUnlocked(ref);
        await this.ensureReachable(dockerConnectionOf(await this.engine.getConfig(ref)));
        return this.engine.refresh(ref, this.operationOptions(context));
    }

    /**
     * Destroys the tenant's resources, then removes its stack (and with it the recorded ports).
     * Data volumes are deleted only with `deleteData`: the flag is written to the stack's
     * `deleteDataOnDestroy` first, so the program's volume options follow it.
     */
    async destroy(ref: string, deleteData: boolean, context: RunContext = {}): Promise<DestroyedTenant> {
        await this.engine.checkUnlocked(ref);
        const config = await this.engine.getConfig(ref);
        await this.ensureReachable(dockerConnectionOf(config));
        if (config.deleteDataOnDestroy !== String(deleteData)) await this.engine.setConfig(ref, { deleteDataOnDestroy: deleteData }, []);
        const { outcome, firstTryError } = await this.destroyResources(ref, context);
        await this.engine.removeStack(ref);
        const logFolderLeft = await this.removeLogFolder(ref, config);
        return { ref, changes: outcome.changes, dataDeleted: deleteData, ...(logFolderLeft ? { logFolderLeft } : {}), ...(firstTryError ? { firstTryError } : {}) };
    }

    /** The engine's destroy, tried once more when it fails (not when cancelled): see DESTROY_RETRY_PAUSE_MS. */
    private async destroyResources(ref: string, context: RunContext): Promise<{ outcome: OperationOutcome; firstTryError?: string }> {
        try {
            return { outcome: await this.engine.destroy(ref, this.operationOptions(context)) };
        } catch (error) {
            if (!(error instanceof OperationFailedError) || context.signal?.aborted) throw error;
            await new Promise((resolve) => setTimeout(resolve, this.destroyRetryPauseMs));
            if (context.signal?.aborted) throw error;
            return { outcome: await this.engine.destroy(ref, this.operationOptions(context)), firstTryError: errorFirstLine(error) };
        }
    }

    /**
     * With analytics, the daemon made `<logSocketDir>/<ref>/` for the tenant's vector; nothing of the
     * stack removes it. Best effort: the folder is empty once vector is gone, so a failure (an image
     * removed by hand, say) does not fail the destroy; it returns what was left and why.
     */
    private async removeLogFolder(ref: string, config: Readonly<Record<string, string>>): Promise<string | undefined> {
        let settings: TenantConfig;
        try {
            settings = tenantConfigFromStack(ref, config);
        } catch {
            return undefined; // a stack the program would refuse: it never had containers
        }
        if (!settings.analyticsEnabled) return undefined;
        const image = serviceImage(RELEASES[settings.release], "vector", settings.vectorImage);
        try {
            await this.docker(dockerConnectionOf(config)).removeLogFolder(ref, settings.logSocketDir, image);
            return undefined;
        } catch (error) {
            return `${settings.logSocketDir}/${ref} (${errorFirstLine(error)})`;
        }
    }

    /**
     * Records `paused` and applies it (an update in place: the containers stop being "must run"), then
     * stops them. Applying it first matters: a container the stack still requires to run would be
     * dropped from state by the next refresh once it is stopped, and the next update would then fail
     * to create it again under its taken name.
     */
    async pause(ref: string, context: RunContext = {}): Promise<void> {
        const config = await this.checkIdle(ref, "pause");
        const connection = dockerConnectionOf(config);
        await this.ensureReachable(connection);
        await this.engine.setConfig(ref, { paused: true }, []);
        await this.engine.up(ref, this.operationOptions(context));
        try {
            await this.docker(connection).pause(ref);
        } catch (error) {
            throw new Error(`${ref} is recorded as paused, but stopping its containers failed: ${errorText(error)}; run fleet pause ${ref} again`);
        }
    }

    /** Clears `paused`, then starts the containers in start order, each after its dependencies are healthy. */
    async resume(ref: string): Promise<void> {
        const config = await this.checkIdle(ref, "resume");
        const connection = dockerConnectionOf(config);
        await this.ensureReachable(connection);
        await this.engine.setConfig(ref, { paused: false }, []);
        try {
            await this.docker(connection).resume(ref);
        } catch (error) {
            throw new Error(`starting the containers of ${ref} failed: ${errorText(error)}; run fleet resume ${ref} again, or fleet up ${ref} if containers are missing`);
        }
    }

    /**
     * Tenants that have labelled objects (containers, networks, or data volumes kept by a destroy) on
     * a Docker host the fleet knows, but no stack: left behind by a stack removed outside the fleet or
     * kept on purpose. Reported, never removed.
     */
    async orphans(): Promise<OrphanTenant[]> {
        const configs = await readAllConfigs(this.engine);
        const connections = new Map<string, DockerConnection>();
        for (const connection of [DEFAULT_HOST, ...(this.registry?.hosts.values() ?? []), ...[...configs.values()].map(dockerConnectionOf)]) {
            connections.set(connection.dockerHost, connections.get(connection.dockerHost) ?? connection);
        }
        const orphans: OrphanTenant[] = [];
        for (const [dockerHost, connection] of [...connections].sort(([a], [b]) => a.localeCompare(b))) {
            await this.ensureReachable(connection);
            for (const ref of await this.docker(connection).tenantRefs()) {
                if (!configs.has(ref)) orphans.push({ ref, dockerHost });
            }
        }
        return orphans;
    }

    async outputs(ref: string, showSecrets: boolean): Promise<Record<string, StackOutput>> {
        await this.requireStack(ref);
        return this.engine.outputs(ref, showSecrets);
    }

    /** A tenant's container logs, from the Docker host its stack records (over SSH included). */
    async logs(ref: string, options: LogOptions, onLine: (line: LogLine) => void): Promise<void> {
        await this.requireStack(ref);
        const connection = dockerConnectionOf(await this.engine.getConfig(ref));
        await this.ensureReachable(connection);
        await this.docker(connection).logs(ref, options, onLine);
    }

    async requireStack(ref: string): Promise<void> {
        await this.resolveRefs([ref], false);
    }

    /** Pause and resume act on Docker directly: refuse while Pulumi is changing the tenant. */
    private async checkIdle(ref: string, action: string): Promise<Record<string, string>> {
        await this.requireStack(ref);
        const last = await this.engine.lastOperation(ref);
        if (last?.result === "in-progress") {
            throw new Error(`cannot ${action} ${ref}: a Pulumi ${last.kind} is in progress on its stack; wait for it to finish`);
        }
        await this.engine.checkUnlocked(ref);
        return this.engine.getConfig(ref);
    }

    private operationOptions(context: RunContext) {
        return { ...(context.signal ? { signal: context.signal } : {}), ...(context.onProgress ? { onProgress: context.onProgress } : {}) };
    }
}

function errorText(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
