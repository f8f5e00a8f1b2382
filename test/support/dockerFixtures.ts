/**
 * Real-engine fixtures for the Docker tests: labelled stand-in tenants (network, volumes,
 * containers with real health checks), Docker events for order assertions, cleanup by label.
 */
import { randomBytes } from "node:crypto";
import Docker from "dockerode";
import { LABELS } from "../../components/catalog.js";
import { dockerOptionsFor, parseDockerHost } from "../../stacks/docker/hostOptions.js";
import { STANDIN_IMAGE } from "./standinImage.js";

/** The engine the Docker tests use; another one can be chosen for a run. */
export const TEST_DOCKER_HOST = process.env.SUPABASE_FLEET_TEST_DOCKER_HOST ?? "unix:///var/run/docker.sock";
/** Marks every object a test creates, so a crashed run's leftovers are recognisable. */
export const TEST_RUN_LABEL = "supabase-fleet.test-run";

export function testDocker(): Docker {
    return new Docker(dockerOptionsFor(parseDockerHost(TEST_DOCKER_HOST)));
}

/** Whether an engine answers; the reason when not. */
export async function probeDockerEngine(docker: Docker): Promise<{ available: true } | { available: false; reason: string }> {
    try {
        await docker.ping();
        return { available: true };
    } catch (error) {
        return { available: false, reason: `no Docker engine answers on ${TEST_DOCKER_HOST} (${(error as Error).message})` };
    }
}

/** Unique per run and per tenant: parallel runs on one engine never see each other's objects. */
export function randomRef(prefix: string): string {
    return `${prefix}-${randomBytes(4).toString("hex")}`;
}

export interface StandinService {
    readonly service: string;
    /** Seconds after start until the health check passes; `never` keeps it failing. */
    readonly healthyAfterSeconds?: number | "never";
    /** false: the container has no health check at all (counts as ready when running). */
    readonly healthcheck?: boolean;
    /** Health check command; defaults to testing for the marker file. */
    readonly healthTest?: readonly string[];
    /** Seconds during which failed checks do not count (keeps the state at "starting"). */
    readonly startPeriodSeconds?: number;
    /** Exits with this code at once on every start, under the restart policy `always`: a restart loop. */
    readonly crashLoopExitCode?: number;
    readonly volumes?: readonly { readonly volume: string; readonly path: string }[];
}

const SECOND_NS = 1_000_000_000;

/** Creates the network, volumes and (not started) containers of one stand-in tenant, all labelled. */
export async function createStandinTenant(
    docker: Docker,
    runId: string,
    ref: string,
    services: readonly StandinService[],
    /** `volumes`: extra volumes no container mounts (leftovers); `network: false`: no network. */
    options: { network?: boolean; volumes?: readonly string[] } = {},
): Promise<Map<string, Docker.Container>> {
    const labels = { [LABELS.tenant]: ref, [LABELS.managedBy]: "supabase-fleet-test", [TEST_RUN_LABEL]: runId };
    const network = `${ref}-network`;
    if (options.network !== false) await docker.createNetwork({ Name: network, Labels: labels });
    const volumeNames = new Set([...(options.volumes ?? []), ...services.flatMap((s) => (s.volumes ?? []).map((v) => v.volume))]);
    for (const volume of volumeNames) await docker.createVolume({ Name: `${ref}-${volume}`, Labels: labels });

    const containers = new Map<string, Docker.Container>();
    for (const spec of services) {
        const delay = spec.healthyAfterSeconds ?? 0;
        const becomeHealthy = delay === "never" ? "" : `(sleep ${delay} && touch /tmp/healthy) & `;
        // PID 1 traps TERM and waits on a background sleep, so `docker stop` returns at once.
        const script = spec.crashLoopExitCode === undefined ? `trap 'exit 0' TERM; rm -f /tmp/healthy; ${becomeHealthy}sleep 3600 & wait` : `exit ${spec.crashLoopExitCode}`;
        const container = await docker.createContainer({
            name: `${ref}-${spec.service}`,
            Image: STANDIN_IMAGE,
            Cmd: ["sh", "-c", script],
            Labels: { ...labels, [LABELS.service]: spec.service },
            Healthcheck:
                spec.healthcheck === false
                    ? { Test: ["NONE"] }
                    : {
                          Test: [...(spec.healthTest ?? ["CMD", "test", "-f", "/tmp/healthy"])],
                          Interval: 0.25 * SECOND_NS,
                          Timeout: 2 * SECOND_NS,
                          Retries: 2,
                          // Failures inside the start period do not count: the delay must not read as "unhealthy".
                          StartPeriod: (spec.startPeriodSeconds ?? (delay === "never" ? 0 : delay + 5)) * SECOND_NS,
                      },
            HostConfig: {
                NetworkMode: options.network === false ? "none" : network,
                Mounts: (spec.volumes ?? []).map((v) => ({ Type: "volume" as const, Source: `${ref}-${v.volume}`, Target: v.path })),
                ...(spec.crashLoopExitCode === undefined ? {} : { RestartPolicy: { Name: "always" } }),
            },
            NetworkingConfig:
                options.network === false ? undefined : { EndpointsConfig: { [network]: { Aliases: [spec.service] } } },
        });
        containers.set(spec.service, container);
    }
    return containers;
}

/** Removes every container, network and volume carrying this run's label. */
export async function removeRunObjects(docker: Docker, runId: string): Promise<void> {
    const filters = { label: [`${TEST_RUN_LABEL}=${runId}`] };
    const containers = await docker.listContainers({ all: true, filters });
    await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
    const networks = await docker.listNetworks({ filters });
    await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove()));
    const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
    await Promise.all(volumes.map((v) => docker.getVolume(v.Name).remove()));
}

export interface ContainerEvent {
    readonly service: string;
    readonly ref: string;
    readonly action: string;
    readonly timeNano: bigint;
}

/**
 * Records the container events of the given tenants from now until `stop()`, from a live stream.
 * Not a replay with since/until: the daemon replays only its last 256 events, and the health probes
 * of other suites' containers (three exec events each) push a busy machine's older events out.
 */
export async function recordContainerEvents(docker: Docker, refs: readonly string[]): Promise<{ stop: () => Promise<ContainerEvent[]> }> {
    const events: ContainerEvent[] = [];
    const streams = await Promise.all(
        refs.map(async (ref) => {
            const stream = (await docker.getEvents({ filters: { type: ["container"], label: [`${LABELS.tenant}=${ref}`] } })) as NodeJS.ReadableStream & { destroy: () => void };
            let pending = "";
            stream.on("data", (chunk: Buffer) => {
                pending += chunk.toString("utf8");
                const lines = pending.split("\n");
                pending = lines.pop() ?? "";
                for (const line of lines.filter((l) => l.trim() !== "")) {
                    const event = JSON.parse(line) as { Action: string; Actor: { Attributes: Record<string, string> } };
                    events.push({
                        ref,
                        service: event.Actor.Attributes[LABELS.service] ?? "",
                        action: event.Action,
                        // timeNano exceeds 2^53: parse from the raw text rather than the lossy number.
                        timeNano: BigInt(/"timeNano":(\d+)/.exec(line)?.[1] ?? "0"),
                    });
                }
            });
            return stream;
        }),
    );
    return {
        stop: async () => {
            // Events of the last moment may still be in flight from the daemon.
            await new Promise((resolve) => setTimeout(resolve, 300));
            for (const stream of streams) stream.destroy();
            return [...events].sort((a, b) => (a.timeNano < b.timeNano ? -1 : a.timeNano > b.timeNano ? 1 : 0));
        },
    };
}

/** Runs a command in a running container and returns its output (TTY mode: no stream framing). */
export async function execOutput(container: Docker.Container, command: readonly string[]): Promise<string> {
    const exec = await container.exec({ Cmd: [...command], AttachStdout: true, AttachStderr: true, Tty: true });
    const stream = await exec.start({ hijack: true, stdin: false, Tty: true });
    let output = "";
    for await (const chunk of stream as AsyncIterable<Buffer>) output += chunk.toString("utf8");
    const { ExitCode } = await exec.inspect();
    if (ExitCode !== 0) throw new Error(`${command.join(" ")} exited with ${ExitCode}: ${output}`);
    return output;
}

/** Waits until every container is healthy (or running, without a health check). */
export async function waitUntilUp(containers: Iterable<Docker.Container>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const container of containers) {
        for (;;) {
            const { State } = await container.inspect();
            if (State.Running && (State.Health === undefined || State.Health.Status === "healthy")) break;
            if (Date.now() > deadline) throw new Error(`container ${container.id} not up in time: ${JSON.stringify(State)}`);
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    }
}
