/**
 * Fleet operations on one Docker host through the Docker API (dockerode; never a shell).
 * A tenant's objects are found only by the label `supabase-fleet.tenant=<ref>`; a container's
 * service only by `supabase-fleet.service`.
 */
import Docker from "dockerode";
import { LABELS } from "../../components/catalog.js";
import { containerStateOf, isReady, preferredState } from "./containerState.js";
import { DockerUnreachableError, ServiceNotReadyError, TenantNotOnHostError, asUnreachable } from "./errors.js";
import { type ConnectionEnvironment, dockerOptionsFor, parseDockerHost, withSharedSshConnection } from "./hostOptions.js";
import type { TenantObjectLister, TenantObjects } from "./orphans.js";
import { type StartDependencies, startWaves, stopWaves } from "./startOrder.js";
import { LogDemultiplexer, mergeByTime } from "./logs.js";
import type { Readable } from "node:stream";
import { execInContainer } from "./exec.js";
import type { ContainerState, LogLine, LogOptions, ServiceCommand, ServiceCommandResult, ServiceContainer, ServiceSelection, TenantDockerHost } from "./types.js";

export interface TenantDockerHostOptions {
    /** Which service waits for which; defaults to `START_DEPENDENCIES` of components/services/index.ts. */
    readonly startDependencies?: StartDependencies;
    /** How long resume waits for one container to become ready. */
    readonly readyTimeoutMs?: number;
    readonly pollIntervalMs?: number;
    /** Seconds Docker waits after SIGTERM before SIGKILL; default: the container's own setting. */
    readonly stopTimeoutSeconds?: number;
    readonly pingTimeoutMs?: number;
    /** Where SSH keys, TLS certificates and DOCKER_* variables come from (tests inject one). */
    readonly connection?: ConnectionEnvironment;
    /** tcp:// only: the folder with ca.pem, cert.pem and key.pem (the stack's dockerTlsCertPath). */
    readonly tlsCertPath?: string;
    /** ssh:// only: whether the key a host offers is the one on record; without it, no SSH host is trusted. */
    readonly sshHostVerifier?: (key: Buffer) => boolean;
}

const rejectEveryHostKey = () => false;
const DEFAULT_READY_TIMEOUT_MS = 180_000;
const DEFAULT_POLL_INTERVAL_MS = 500;
const DEFAULT_PING_TIMEOUT_MS = 10_000;
const HTTP_NOT_MODIFIED = 304; // start of a running / stop of a stopped container

/** One container of a tenant as the operations see it. */
interface TenantContainer {
    readonly id: string;
    readonly name: string;
    /** From the service label; undefined for a tenant container without one. */
    readonly service: string | undefined;
    readonly state: ContainerState;
}

export class DockerTenantHost implements TenantDockerHost, TenantObjectLister {
    private readonly docker: Docker;
    private startDependencies: StartDependencies | undefined;

    constructor(
        readonly dockerHost: string,
        private readonly options: TenantDockerHostOptions = {},
    ) {
        this.docker = new Docker(withSharedSshConnection(dockerOptionsFor(parseDockerHost(dockerHost), options.connection, options.tlsCertPath, options.sshHostVerifier ?? rejectEveryHostKey)));
        this.startDependencies = options.startDependencies;
    }

    async ping(): Promise<void> {
        const timeoutMs = this.options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS;
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(
                () => reject(new DockerUnreachableError(this.dockerHost, `no answer within ${timeoutMs / 1000}s`)),
                timeoutMs,
            );
        });
        try {
            await Promise.race([this.api(() => this.docker.ping()), timeout]);
        } finally {
            clearTimeout(timer);
        }
    }

    async serviceStates(ref: string): Promise<Record<string, ContainerState>> {
        const [containers, dependencies] = await Promise.all([this.containersOf(ref), this.dependencies()]);
        const states: Record<string, ContainerState> = {};
        for (const service of Object.keys(dependencies)) states[service] = "missing";
        for (const container of containers) {
            if (container.service === undefined) continue;
            states[container.service] = preferredState(states[container.service] ?? "missing", container.state);
        }
        return states;
    }

    async pause(ref: string, selection: ServiceSelection = {}): Promise<void> {
        const [containers, dependencies] = await Promise.all([this.selectedContainers(ref, selection), this.dependencies()]);
        const { byService, unordered } = groupByService(containers, dependencies);
        // Containers outside the start order depend on nobody we know: stop them first.
        const waves = [unordered, ...stopWaves(dependencies).map((wave) => wave.flatMap((service) => byService.get(service) ?? []))];
        for (const wave of waves) {
            await Promise.all(wave.filter((container) => container.state !== "stopped").map((container) => this.stop(container)));
        }
    }

    async resume(ref: string, selection: ServiceSelection = {}): Promise<void> {
        const [containers, dependencies] = await Promise.all([this.selectedContainers(ref, selection), this.dependencies()]);
        const { byService, unordered } = groupByService(containers, dependencies);

        // Each service starts once every dependency present on the host is ready; services absent
        // from the host (optional ones such as analytics) impose no wait.
        const readiness = new Map<string, Promise<void>>();
        const whenReady = (service: string): Promise<void> => {
            let promise = readiness.get(service);
            if (promise === undefined) {
                promise = (async () => {
                    await Promise.all(dependencies[service]!.filter((dependency) => byService.has(dependency)).map(whenReady));
                    await Promise.all(byService.get(service)!.map((container) => this.startAndWait(ref, container, dependencies, byService)));
                })();
                readiness.set(service, promise);
            }
            return promise;
        };

        const ordered = startWaves(dependencies).flat().filter((service) => byService.has(service));
        const results = await Promise.allSettled(ordered.map(whenReady));
        const firstFailure = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
        if (firstFailure) throw firstFailure.reason;
        // Unknown containers may depend on anything: start them once the known ones are ready.
        await Promise.all(unordered.map((container) => this.startAndWait(ref, container, dependencies, byService)));
    }

    async logs(ref: string, options: LogOptions, onLine: (line: LogLine) => void): Promise<void> {
        const containers = (await this.containersOf(ref)).filter((container) => options.service === undefined || container.service === options.service);
        if (containers.length === 0) {
            throw options.service === undefined
                ? new TenantNotOnHostError(ref, this.dockerHost)
                : new Error(`${ref} has no ${options.service} container on ${this.dockerHost}`);
        }
        const request = {
            stdout: true,
            stderr: true,
            timestamps: true,
            ...(options.sinceSeconds !== undefined ? { since: options.sinceSeconds } : {}),
            ...(options.tail !== undefined ? { tail: options.tail } : {}),
        };
        const label = (container: TenantContainer) => container.service ?? container.name;
        if (!options.follow) {
            const lines: LogLine[] = [];
            for (const container of containers) {
                const body = await this.api(() => this.docker.getContainer(container.id).logs({ ...request, follow: false }));
                const demultiplexer = new LogDemultiplexer(label(container), (line) => lines.push(line));
                demultiplexer.push(Buffer.isBuffer(body) ? body : Buffer.from(String(body)));
                demultiplexer.end();
            }
            for (const line of mergeByTime(lines)) onLine(line);
            return;
        }
        // Following: every container's stream at once, each line as it comes, until the signal aborts.
        await Promise.all(
            containers.map(async (container) => {
                const stream = (await this.api(() => this.docker.getContainer(container.id).logs({ ...request, follow: true }))) as NodeJS.ReadableStream & { destroy(): void };
                const demultiplexer = new LogDemultiplexer(label(container), onLine);
                await new Promise<void>((resolve, reject) => {
                    const stop = () => {
                        stream.destroy();
                        resolve();
                    };
                    if (options.signal?.aborted) return stop();
                    options.signal?.addEventListener("abort", stop, { once: true });
                    stream.on("data", (chunk: Buffer) => demultiplexer.push(chunk));
                    stream.on("end", () => {
                        demultiplexer.end();
                        resolve();
                    });
                    stream.on("error", (error) => (options.signal?.aborted ? resolve() : reject(asUnreachable(error, this.dockerHost))));
                });
            }),
        );
    }

    async tenantRefs(): Promise<string[]> {
        return (await this.tenantObjects()).map((objects) => objects.ref);
    }

    async removeLogFolder(ref: string, logSocketDir: string, image: string): Promise<void> {
        // The ref is a DNS label and the folder a path of plain segments (the config rules): no shell, no `..`.
        const container = await this.api(() =>
            this.docker.createContainer({
                Image: image,
                Entrypoint: ["rm"],
                Cmd: ["-rf", `/logs/${ref}`],
                HostConfig: { Binds: [`${logSocketDir}:/logs`], NetworkMode: "none" },
            }),
        );
        try {
            await this.api(() => container.start());
            const { StatusCode } = (await this.api(() => container.wait())) as { StatusCode: number };
            if (StatusCode !== 0) throw new Error(`removing ${logSocketDir}/${ref} exited with ${StatusCode}`);
        } finally {
            await this.api(() => container.remove({ force: true }));
        }
    }

    async volumeExists(name: string): Promise<boolean> {
        return (await this.volumeLabels(name)) !== undefined;
    }

    async removeVolume(ref: string, name: string): Promise<void> {
        const labels = await this.volumeLabels(name);
        if (labels === undefined) return;
        if (labels[LABELS.tenant] !== ref) throw new Error(`volume ${name} is not labelled as ${ref}'s (${LABELS.tenant}); it was left as it is`);
        await this.api(() => this.docker.getVolume(name).remove());
    }

    /** A volume's labels (empty when it has none), or undefined when no volume has that name. */
    private async volumeLabels(name: string): Promise<Record<string, string> | undefined> {
        try {
            return ((await this.api(() => this.docker.getVolume(name).inspect())) as { Labels?: Record<string, string> | null }).Labels ?? {};
        } catch (error) {
            if ((error as { statusCode?: number }).statusCode === 404) return undefined;
            throw error;
        }
    }

    async objectsOf(ref: string): Promise<TenantObjects> {
        return (await this.tenantObjects()).find((objects) => objects.ref === ref) ?? { ref, containers: [], networks: [], volumes: [] };
    }

    async removeTenantObjects(ref: string, options: { readonly volumes: boolean }): Promise<TenantObjects> {
        const objects = await this.objectsOf(ref);
        // Containers first: a network or volume in use cannot be removed.
        for (const name of objects.containers) await this.api(() => this.docker.getContainer(name).remove({ force: true }));
        for (const name of objects.networks) await this.api(() => this.docker.getNetwork(name).remove());
        if (options.volumes) for (const name of objects.volumes) await this.removeVolume(ref, name);
        return { ...objects, volumes: options.volumes ? objects.volumes : [] };
    }

    /** Every labelled container, network and volume on the host, grouped by tenant ref and sorted. */
    async tenantObjects(): Promise<TenantObjects[]> {
        const labelFilter = { label: [LABELS.tenant] }; // key only: any value
        const [containers, networks, volumes] = await Promise.all([
            this.api(() => this.docker.listContainers({ all: true, filters: labelFilter })),
            this.api(() => this.docker.listNetworks({ filters: labelFilter })),
            this.api(() => this.docker.listVolumes({ filters: labelFilter })),
        ]);
        const byRef = new Map<string, { containers: string[]; networks: string[]; volumes: string[] }>();
        const entry = (ref: string) => {
            let objects = byRef.get(ref);
            if (objects === undefined) {
                objects = { containers: [], networks: [], volumes: [] };
                byRef.set(ref, objects);
            }
            return objects;
        };
        for (const container of containers) {
            const ref = container.Labels?.[LABELS.tenant];
            if (ref) entry(ref).containers.push(containerName(container.Names));
        }
        for (const network of networks) {
            const ref = network.Labels?.[LABELS.tenant];
            if (ref) entry(ref).networks.push(network.Name);
        }
        for (const volume of volumes.Volumes ?? []) {
            const ref = volume.Labels?.[LABELS.tenant];
            if (ref) entry(ref).volumes.push(volume.Name);
        }
        return [...byRef.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([ref, objects]) => ({
                ref,
                containers: objects.containers.sort(),
                networks: objects.networks.sort(),
                volumes: objects.volumes.sort(),
            }));
    }

    async containers(ref: string): Promise<ServiceContainer[]> {
        const listed = await this.api(() => this.docker.listContainers({ all: true, filters: { label: [`${LABELS.tenant}=${ref}`] } }));
        const described: ServiceContainer[] = [];
        for (const { Id } of listed) {
            const info = await this.api(() => this.docker.getContainer(Id).inspect());
            const service = info.Config.Labels?.[LABELS.service];
            if (service === undefined) continue;
            const volumeMounts = (info.Mounts ?? []).filter((mount) => mount.Type === "volume" && mount.Name).map((mount) => ({ volume: mount.Name!, path: mount.Destination }));
            described.push({ service, image: info.Config.Image, state: containerStateOf(info.State), volumeMounts });
        }
        return described.sort((a, b) => a.service.localeCompare(b.service));
    }

    async exec(ref: string, service: string, command: ServiceCommand): Promise<ServiceCommandResult> {
        const container = await this.serviceContainer(ref, service);
        if (container.state === "stopped") throw new Error(`${ref}'s ${service} container is not running, so nothing can run in it`);
        return this.api(() => execInContainer(this.docker.getContainer(container.id), command));
    }

    async readArchive(ref: string, service: string, path: string): Promise<Readable> {
        const container = await this.serviceContainer(ref, service);
        return this.api(() => this.docker.getContainer(container.id).getArchive({ path })) as Promise<Readable>;
    }

    async writeArchive(ref: string, service: string, directory: string, tar: Readable): Promise<void> {
        const container = await this.serviceContainer(ref, service);
        await this.api(() => this.docker.getContainer(container.id).putArchive(tar, { path: directory }));
    }

    /** The tenant's containers, or those of the selected services; refuses a tenant with none here. */
    private async selectedContainers(ref: string, selection: ServiceSelection): Promise<TenantContainer[]> {
        const containers = await this.containersOf(ref);
        if (containers.length === 0) throw new TenantNotOnHostError(ref, this.dockerHost);
        const services = selection.services;
        return services === undefined ? containers : containers.filter((container) => container.service !== undefined && services.includes(container.service));
    }

    private async serviceContainer(ref: string, service: string): Promise<TenantContainer> {
        const found = (await this.containersOf(ref)).filter((container) => container.service === service);
        if (found.length === 0) throw new Error(`${ref} has no ${service} container on ${this.dockerHost}`);
        return found[0]!;
    }

    private async containersOf(ref: string): Promise<TenantContainer[]> {
        const listed = await this.api(() =>
            this.docker.listContainers({ all: true, filters: { label: [`${LABELS.tenant}=${ref}`] } }),
        );
        return Promise.all(listed.map((container) => this.inspect(container.Id)));
    }

    private async inspect(id: string): Promise<TenantContainer> {
        const info = await this.api(() => this.docker.getContainer(id).inspect());
        return {
            id,
            name: info.Name.replace(/^\//, ""),
            service: info.Config.Labels?.[LABELS.service],
            state: containerStateOf(info.State),
        };
    }

    private async stop(container: TenantContainer): Promise<void> {
        const seconds = this.options.stopTimeoutSeconds;
        await this.api(() => this.docker.getContainer(container.id).stop(seconds === undefined ? {} : { t: seconds })).catch(
            ignoreStatus(HTTP_NOT_MODIFIED),
        );
    }

    private async startAndWait(
        ref: string,
        container: TenantContainer,
        dependencies: StartDependencies,
        byService: ReadonlyMap<string, readonly TenantContainer[]>,
    ): Promise<void> {
        await this.api(() => this.docker.getContainer(container.id).start()).catch(ignoreStatus(HTTP_NOT_MODIFIED));
        const timeoutMs = this.options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
        const pollMs = this.options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
        const deadline = Date.now() + timeoutMs;
        const fail = (detail: string) =>
            new ServiceNotReadyError(
                ref,
                container.service ?? container.name,
                container.name,
                detail,
                container.service === undefined ? [] : dependentsOf(container.service, dependencies).filter((s) => byService.has(s)),
            );
        for (;;) {
            const info = await this.api(() => this.docker.getContainer(container.id).inspect());
            const state = containerStateOf(info.State);
            if (isReady(state)) return;
            if (state === "stopped") throw fail(`exited with code ${info.State.ExitCode} while starting`);
            if (state === "unhealthy") {
                const lastCheck = info.State.Health?.Log?.at(-1)?.Output?.trim();
                throw fail(`is unhealthy${lastCheck ? ` (last check: ${lastCheck.slice(0, 200)})` : ""}`);
            }
            if (Date.now() >= deadline) {
                // A restart loop reads as "starting": its count (and the exit code, when caught between two
                // runs) says why it never got there.
                const exitCode = info.State.ExitCode ? `, last exit code ${info.State.ExitCode}` : "";
                const restarts = info.RestartCount ? `; restarted ${info.RestartCount} times${exitCode}` : "";
                throw fail(`did not become healthy within ${timeoutMs / 1000}s (last state: ${state}${restarts})`);
            }
            await new Promise((resolve) => setTimeout(resolve, pollMs));
        }
    }

    private async dependencies(): Promise<StartDependencies> {
        this.startDependencies ??= await loadStartDependencies();
        return this.startDependencies;
    }

    /** Runs one Docker API call, turning "could not reach the daemon" into `DockerUnreachableError`. */
    private async api<T>(call: () => Promise<T>): Promise<T> {
        try {
            return await call();
        } catch (error) {
            throw asUnreachable(error, this.dockerHost);
        }
    }
}

function groupByService(containers: readonly TenantContainer[], dependencies: StartDependencies) {
    const byService = new Map<string, TenantContainer[]>();
    const unordered: TenantContainer[] = [];
    for (const container of containers) {
        if (container.service !== undefined && container.service in dependencies) {
            byService.set(container.service, [...(byService.get(container.service) ?? []), container]);
        } else {
            unordered.push(container);
        }
    }
    return { byService, unordered };
}

/** Services that (directly or not) wait for `service`, in start order. */
function dependentsOf(service: string, dependencies: StartDependencies): string[] {
    const found = new Set<string>();
    for (const candidate of startWaves(dependencies).flat()) {
        if (dependencies[candidate]!.some((dependency) => dependency === service || found.has(dependency))) found.add(candidate);
    }
    return [...found];
}

function containerName(names: readonly string[] | undefined): string {
    return (names?.[0] ?? "").replace(/^\//, "");
}

function ignoreStatus(status: number) {
    return (error: unknown): void => {
        if ((error as { statusCode?: unknown }).statusCode !== status) throw error;
    };
}

// The map is derived from the service modules; loaded on first use because that pulls in
// @pulumi/pulumi, which callers passing their own map (tests, tools) need not pay for.
async function loadStartDependencies(): Promise<StartDependencies> {
    return (await import("../../components/services/index.js")).START_DEPENDENCIES;
}
