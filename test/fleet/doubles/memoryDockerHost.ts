/**
 * An in-memory TenantDockerHost: the test double of the dockerode implementation. It records calls, can be made unreachable, and mirrors a memory
 * engine's updates (containers appear healthy after `up`, vanish after `destroy`).
 */
import { ANALYTICS_SERVICES, SERVICE_NAMES } from "../../../components/catalog.js";
import type { OperationKind } from "../../../stacks/fleet/engine.js";
import { Readable } from "node:stream";
import type { TenantObjects } from "../../../stacks/docker/orphans.js";
import type { ContainerState, LogLine, LogOptions, ServiceCommand, ServiceCommandResult, ServiceContainer, ServiceSelection, TenantDockerHost } from "../../../stacks/fleet/ports.js";

export class MemoryDockerHost implements TenantDockerHost {
    private readonly tenants = new Map<string, Record<string, ContainerState>>();
    /** When set, every call fails with this message, like a daemon that cannot be reached. */
    unreachable: string | undefined;
    /** Every call, in order, as `<method> <ref>`. */
    readonly calls: string[] = [];

    constructor(readonly dockerHost: string) {}

    setStates(ref: string, states: Record<string, ContainerState>): void {
        this.tenants.set(ref, { ...states });
    }

    /** Data volumes by tenant: made by the first `up`, kept by `destroy` (as the real ones are by default). */
    readonly volumes = new Map<string, string[]>();

    /** Mirrors a memory engine: `up` leaves every service healthy (stopped while paused), `destroy` removes them. */
    apply(ref: string, kind: OperationKind, config: Record<string, string>): void {
        if (kind === "destroy") {
            this.tenants.delete(ref);
            return;
        }
        if (!this.volumes.has(ref)) this.volumes.set(ref, [`${ref}-db-config`, `${ref}-db-data`, `${ref}-storage-data`]);
        const analytics = config.analyticsEnabled !== "false";
        const state: ContainerState = config.paused === "true" ? "stopped" : "healthy";
        const services = SERVICE_NAMES.filter((service) => analytics || !ANALYTICS_SERVICES.includes(service));
        this.tenants.set(ref, Object.fromEntries(services.map((service) => [service, state])));
    }

    /** Log folders removed, as `<logSocketDir>/<ref> <image>`. */
    readonly removedLogFolders: string[] = [];

    async removeLogFolder(ref: string, logSocketDir: string, image: string): Promise<void> {
        this.check("removeLogFolder", ref);
        this.removedLogFolders.push(`${logSocketDir}/${ref} ${image}`);
    }

    /** Volumes on the host that belong to no tenant's record, such as one left by an earlier try. */
    readonly strayVolumes = new Set<string>();

    async volumeExists(name: string): Promise<boolean> {
        return this.strayVolumes.has(name) || [...this.volumes.values()].some((names) => names.includes(name));
    }

    /** Volumes removed through removeVolume, as `<ref> <name>`. */
    readonly removedVolumes: string[] = [];

    async removeVolume(ref: string, name: string): Promise<void> {
        this.check("removeVolume", ref);
        this.removedVolumes.push(`${ref} ${name}`);
        this.volumes.set(ref, (this.volumes.get(ref) ?? []).filter((volume) => volume !== name));
    }

    async objectsOf(ref: string): Promise<TenantObjects> {
        this.check("objectsOf", ref);
        const containers = Object.keys(this.tenants.get(ref) ?? {}).map((service) => `${ref}-${service}`).sort();
        return { ref, containers, networks: containers.length ? [`${ref}-network`] : [], volumes: [...(this.volumes.get(ref) ?? [])].sort() };
    }

    async removeTenantObjects(ref: string, options: { readonly volumes: boolean }): Promise<TenantObjects> {
        const objects = await this.objectsOf(ref);
        this.tenants.delete(ref);
        if (options.volumes) for (const name of objects.volumes) await this.removeVolume(ref, name);
        return { ...objects, volumes: options.volumes ? objects.volumes : [] };
    }

    async serviceStates(ref: string): Promise<Record<string, ContainerState>> {
        this.check("serviceStates", ref);
        return { ...(this.tenants.get(ref) ?? {}) };
    }

    async pause(ref: string, selection: ServiceSelection = {}): Promise<void> {
        this.check("pause", ref);
        this.setAll(ref, "stopped", selection.services);
    }

    async resume(ref: string, selection: ServiceSelection = {}): Promise<void> {
        this.check("resume", ref);
        this.setAll(ref, "healthy", selection.services);
    }

    /** Answers `exec` calls, given what the command read on stdin: a test sets it to play the commands it expects. */
    execHandler: ((ref: string, service: string, command: ServiceCommand, stdin: string) => ServiceCommandResult & { stdout?: string }) | undefined;
    /** Volume mounts by `<ref> <service>`, as `containers` reports them. */
    readonly mounts = new Map<string, ServiceContainer["volumeMounts"]>();
    /** Tar streams by `<ref> <service> <path>`, as `writeArchive` left them or a test put them. */
    readonly archives = new Map<string, Buffer>();

    async containers(ref: string): Promise<ServiceContainer[]> {
        this.check("containers", ref);
        return Object.entries(this.tenants.get(ref) ?? {})
            .map(([service, state]) => ({ service, image: `memory/${service}:test`, state, volumeMounts: this.mounts.get(`${ref} ${service}`) ?? [] }))
            .sort((a, b) => a.service.localeCompare(b.service));
    }

    async exec(ref: string, service: string, command: ServiceCommand): Promise<ServiceCommandResult> {
        this.check("exec", ref);
        if (!this.execHandler) throw new Error(`memory Docker host: no execHandler for ${command.command.join(" ")}`);
        const chunks: Buffer[] = [];
        if (command.stdin) for await (const chunk of command.stdin) chunks.push(Buffer.from(chunk as Buffer));
        const { stdout, ...result } = this.execHandler(ref, service, command, Buffer.concat(chunks).toString("utf8"));
        if (stdout !== undefined && command.stdout) await new Promise<void>((resolve) => command.stdout!.end(stdout, resolve));
        return result;
    }

    async readArchive(ref: string, service: string, path: string): Promise<Readable> {
        this.check("readArchive", ref);
        const archive = this.archives.get(`${ref} ${service} ${path}`);
        if (!archive) throw new Error(`memory Docker host: no archive of ${path} in ${ref}'s ${service}`);
        return Readable.from([archive]);
    }

    async writeArchive(ref: string, service: string, directory: string, tar: Readable): Promise<void> {
        this.check("writeArchive", ref);
        const chunks: Buffer[] = [];
        for await (const chunk of tar) chunks.push(chunk as Buffer);
        this.archives.set(`${ref} ${service} ${directory}`, Buffer.concat(chunks));
    }

    /** Lines a test gives a tenant; `logs` hands back those of the asked service. */
    readonly logLines = new Map<string, LogLine[]>();

    async logs(ref: string, options: LogOptions, onLine: (line: LogLine) => void): Promise<void> {
        this.check("logs", ref);
        for (const line of this.logLines.get(ref) ?? []) if (options.service === undefined || line.service === options.service) onLine(line);
    }

    async tenantRefs(): Promise<string[]> {
        this.check("tenantRefs", "");
        return [...this.tenants.keys()].sort();
    }

    async ping(): Promise<void> {
        this.check("ping", "");
    }

    private setAll(ref: string, state: ContainerState, only?: readonly string[]): void {
        const services = this.tenants.get(ref) ?? {};
        this.tenants.set(ref, Object.fromEntries(Object.entries(services).map(([service, current]) => [service, only === undefined || only.includes(service) ? state : current])));
    }

    private check(method: string, ref: string): void {
        this.calls.push(ref ? `${method} ${ref}` : method);
        if (this.unreachable !== undefined) throw new Error(this.unreachable);
    }
}

/** One MemoryDockerHost per Docker host string, shared by the fleet and the memory engine. */
export class MemoryDockerHosts {
    private readonly hosts = new Map<string, MemoryDockerHost>();

    get(dockerHost: string): MemoryDockerHost {
        let host = this.hosts.get(dockerHost);
        if (!host) {
            host = new MemoryDockerHost(dockerHost);
            this.hosts.set(dockerHost, host);
        }
        return host;
    }

    readonly factory = (dockerHost: string): TenantDockerHost => this.get(dockerHost);

    /** For MemoryEngine's `onApplied`. */
    readonly mirror = (ref: string, kind: OperationKind, config: Record<string, string>): void => {
        this.get(config.dockerHost ?? "unix:///var/run/docker.sock").apply(ref, kind, config);
    };
}
