/**
 * `DockerTenantHost` against the real Docker engine of this machine, with stand-in containers
 * (busybox, real Docker health checks) labelled like a tenant's. Orders are read from the
 * engine's own event log, not from our code.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { START_DEPENDENCIES } from "../../components/services/index.js";
import { LABELS, SERVICE_NAMES } from "../../components/catalog.js";
import {
    type ContainerState,
    DockerTenantHost,
    ServiceNotReadyError,
    TenantNotOnHostError,
    createTenantDockerHost,
    findOrphans,
    startWaves,
    stopWaves,
} from "../../stacks/docker/index.js";
import {
    type ContainerEvent,
    TEST_DOCKER_HOST,
    recordContainerEvents,
    createStandinTenant,
    execOutput,
    probeDockerEngine,
    removeRunObjects,
    testDocker,
    waitUntilUp,
} from "../support/dockerFixtures.js";
import { ensureStandinImage } from "../support/standinImage.js";

const docker = testDocker();
const engine = await probeDockerEngine(docker);
const mustRun = process.env.CI === "true";
const skipReason = engine.available ? "" : `${engine.reason}; start one with: bash .ci/setup-docker.sh`;
if (!engine.available) {
    console.warn(`[test/docker] ${skipReason}. ${mustRun ? "CI=true: the engine tests fail instead of skipping." : "Skipping the engine tests."}`);
}

const run = randomBytes(3).toString("hex");
const A = `t-${run}-a`; // the tenant acted on
const B = `t-${run}-a2`; // another tenant, whose ref starts with A's: label matches must be exact
const C = `t-${run}-c`; // only a network and a volume left behind (an orphan)
const D = `t-${run}-d`; // db never becomes healthy (stays "starting")
const E = `t-${run}-e`; // db turns unhealthy
const F = `t-${run}-f`; // db exits at every start, in a restart loop
const RUN_REFS = [A, B, C, D, E, F].sort();

const A_SERVICES = ["auth", "db", "imgproxy", "kong", "rest", "storage"];
const DB_DATA_PATH = "/var/lib/postgresql/data";

function allMissingExcept(present: Record<string, ContainerState>): Record<string, ContainerState> {
    return { ...Object.fromEntries(SERVICE_NAMES.map((service) => [service, "missing" as const])), ...present };
}

const A_UP = allMissingExcept({ db: "healthy", imgproxy: "healthy", kong: "healthy", rest: "healthy", storage: "healthy", auth: "running" });
const A_DOWN = allMissingExcept({ db: "stopped", imgproxy: "stopped", kong: "stopped", rest: "stopped", storage: "stopped", auth: "stopped" });
const B_UP = allMissingExcept({ db: "healthy", rest: "healthy" });

function firstTime(events: readonly ContainerEvent[], service: string, action: string): bigint {
    const event = events.find((e) => e.service === service && e.action === action);
    if (event === undefined) throw new Error(`no "${action}" event for ${service} in ${JSON.stringify(events.map((e) => `${e.service}:${e.action}`))}`);
    return event.timeNano;
}

/** Lifecycle events only: health-check execs run all the time and say nothing about our actions. */
function lifecycle(events: readonly ContainerEvent[]): ContainerEvent[] {
    return events.filter((e) => !e.action.startsWith("exec_"));
}

describe.skipIf(!engine.available && !mustRun)(`DockerTenantHost on a real engine${skipReason ? ` (${skipReason})` : ""}`, () => {
    let host: DockerTenantHost;

    beforeAll(async () => {
        if (!engine.available) throw new Error(`CI=true requires a Docker engine: ${skipReason}`);
        await ensureStandinImage(docker);
        host = createTenantDockerHost(TEST_DOCKER_HOST, { startDependencies: START_DEPENDENCIES, pollIntervalMs: 100 });

        const a = await createStandinTenant(docker, run, A, [
            // db turns healthy only 1.5 s after each start: resume must really wait for it.
            { service: "db", healthyAfterSeconds: 1.5, volumes: [{ volume: "db-data", path: DB_DATA_PATH }] },
            { service: "imgproxy", volumes: [{ volume: "storage", path: "/var/lib/storage" }] },
            { service: "kong" },
            { service: "rest" },
            { service: "auth", healthcheck: false },
            { service: "storage", volumes: [{ volume: "storage", path: "/var/lib/storage" }] },
        ]);
        const b = await createStandinTenant(docker, run, B, [{ service: "db" }, { service: "rest" }]);
        await createStandinTenant(docker, run, C, [], { volumes: ["db-data"] });
        await createStandinTenant(docker, run, D, [
            { service: "db", healthyAfterSeconds: "never", startPeriodSeconds: 60 },
            { service: "auth", healthcheck: false },
        ]);
        await createStandinTenant(docker, run, E, [
            { service: "db", healthyAfterSeconds: "never", healthTest: ["CMD", "false"] },
            { service: "rest" },
        ]);
        await createStandinTenant(docker, run, F, [{ service: "db", crashLoopExitCode: 3 }, { service: "auth", healthcheck: false }]);
        const running = [...a.values(), ...b.values()];
        await Promise.all(running.map((container) => container.start()));
        await waitUntilUp(running);
    });

    afterAll(async () => {
        if (engine.available) await removeRunObjects(docker, run);
    });

    it("pings the engine", async () => {
        await expect(host.ping()).resolves.toBeUndefined();
    });

    it("reports each service's exact state, by label, with exact tenant matching", async () => {
        expect(await host.serviceStates(A)).toEqual(A_UP);
        expect(await host.serviceStates(B)).toEqual(B_UP);
        expect(await host.serviceStates(`t-${run}-nobody`)).toEqual(allMissingExcept({}));
    });

    it("lists exactly the refs with labelled objects, and names an orphan's objects", async () => {
        expect((await host.tenantRefs()).filter((ref) => ref.startsWith(`t-${run}-`))).toEqual(RUN_REFS);
        const orphans = (await findOrphans(host, [A, B, D, E, F])).filter((o) => o.ref.startsWith(`t-${run}-`));
        expect(orphans).toEqual([{ ref: C, containers: [], networks: [`${C}-network`], volumes: [`${C}-db-data`] }]);
        const aAsOrphan = (await findOrphans(host, [B, C, D, E, F])).filter((o) => o.ref.startsWith(`t-${run}-`));
        expect(aAsOrphan).toEqual([
            {
                ref: A,
                containers: A_SERVICES.map((service) => `${A}-${service}`),
                networks: [`${A}-network`],
                volumes: [`${A}-db-data`, `${A}-storage`],
            },
        ]);
    });

    it("pauses only the tenant, in reverse start order, keeping containers and volumes; data survives resume", async () => {
        const before = await docker.listContainers({ all: true, filters: { label: [`${LABELS.tenant}=${A}`] } });
        const marker = randomBytes(8).toString("hex");
        await execOutput(docker.getContainer(`${A}-db`), ["sh", "-c", `echo ${marker} > ${DB_DATA_PATH}/marker`]);

        const pauseRecording = await recordContainerEvents(docker, [A, B]);
        await host.pause(A);
        const pauseEvents = await pauseRecording.stop();

        expect(await host.serviceStates(A)).toEqual(A_DOWN);
        expect(await host.serviceStates(B)).toEqual(B_UP);
        expect(lifecycle(pauseEvents).filter((e) => e.ref === B)).toEqual([]);
        // Every container got exactly one kill (SIGTERM) and one die.
        const aEvents = lifecycle(pauseEvents).filter((e) => e.ref === A);
        expect(aEvents.filter((e) => e.action === "kill").map((e) => e.service).sort()).toEqual(A_SERVICES);
        expect(aEvents.filter((e) => e.action === "die").map((e) => e.service).sort()).toEqual(A_SERVICES);
        // Wave by wave: every container of a wave is down before the next wave is signalled.
        const waves = stopWaves(START_DEPENDENCIES)
            .map((wave) => wave.filter((service) => A_SERVICES.includes(service)))
            .filter((wave) => wave.length > 0);
        // kong stops in the second wave: under release 0.8.2 it waits for studio, so it goes down before it.
        expect(waves).toEqual([["storage"], ["auth", "kong", "rest"], ["db", "imgproxy"]]);
        for (let i = 0; i + 1 < waves.length; i++) {
            for (const earlier of waves[i]!) {
                for (const later of waves[i + 1]!) {
                    expect(firstTime(aEvents, earlier, "die") < firstTime(aEvents, later, "kill"), `${earlier} down before ${later} stops`).toBe(true);
                }
            }
        }
        // Nothing removed: same containers, volumes still there.
        const after = await docker.listContainers({ all: true, filters: { label: [`${LABELS.tenant}=${A}`] } });
        expect(after.map((c) => c.Id).sort()).toEqual(before.map((c) => c.Id).sort());
        const volumes = (await docker.listVolumes({ filters: { label: [`${LABELS.tenant}=${A}`] } })).Volumes ?? [];
        expect(volumes.map((v) => v.Name).sort()).toEqual([`${A}-db-data`, `${A}-storage`]);

        // Pausing again changes nothing and does not fail.
        await host.pause(A);
        expect(await host.serviceStates(A)).toEqual(A_DOWN);

        const resumeRecording = await recordContainerEvents(docker, [A, B]);
        await host.resume(A);
        // Resume returns only once everything is ready: no polling needed here.
        expect(await host.serviceStates(A)).toEqual(A_UP);
        expect(await host.serviceStates(B)).toEqual(B_UP);
        const resumeEvents = lifecycle(await resumeRecording.stop());
        expect(resumeEvents.filter((e) => e.ref === B)).toEqual([]);
        const started = resumeEvents.filter((e) => e.ref === A && e.action === "start");
        expect(started.map((e) => e.service).sort()).toEqual(A_SERVICES);
        // Each container started only after every dependency reported healthy.
        for (const service of A_SERVICES) {
            // A dependency the tenant does not run (studio, for kong under 0.8.2) imposes no wait.
            for (const dependency of START_DEPENDENCIES[service as keyof typeof START_DEPENDENCIES].filter((d) => A_SERVICES.includes(d))) {
                expect(
                    firstTime(resumeEvents, dependency, "health_status: healthy") < firstTime(resumeEvents, service, "start"),
                    `${dependency} healthy before ${service} starts`,
                ).toBe(true);
            }
        }
        // db takes 1.5 s to turn healthy: its dependents really waited.
        expect(firstTime(resumeEvents, "auth", "start") - firstTime(resumeEvents, "db", "start")).toBeGreaterThan(1_400_000_000n);
        // Independent services of the first wave did not wait for db.
        expect(firstTime(resumeEvents, "imgproxy", "start") < firstTime(resumeEvents, "db", "health_status: healthy")).toBe(true);
        expect(startWaves(START_DEPENDENCIES)[0]).toContain("imgproxy");

        const readBack = await execOutput(docker.getContainer(`${A}-db`), ["cat", `${DB_DATA_PATH}/marker`]);
        expect(readBack.trim()).toBe(marker);
        const again = await docker.listContainers({ all: true, filters: { label: [`${LABELS.tenant}=${A}`] } });
        expect(again.map((c) => c.Id).sort()).toEqual(before.map((c) => c.Id).sort());
    });

    it("resumes a running tenant without touching it", async () => {
        const recording = await recordContainerEvents(docker, [B]);
        await host.resume(B);
        expect(lifecycle(await recording.stop())).toEqual([]);
        expect(await host.serviceStates(B)).toEqual(B_UP);
    });

    it("stops waiting after the timeout and names the service and what it held back", async () => {
        const impatient = createTenantDockerHost(TEST_DOCKER_HOST, { startDependencies: START_DEPENDENCIES, readyTimeoutMs: 1500, pollIntervalMs: 100 });
        const error = await impatient.resume(D).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ServiceNotReadyError);
        expect((error as Error).message).toBe(
            `tenant ${D}: service "db" (container ${D}-db) did not become healthy within 1.5s (last state: starting); not started because of it: auth`,
        );
        expect(await host.serviceStates(D)).toEqual(allMissingExcept({ db: "starting", auth: "stopped" }));
    });

    it("says how often a container in a restart loop restarted when the wait ends", async () => {
        const impatient = createTenantDockerHost(TEST_DOCKER_HOST, { startDependencies: START_DEPENDENCIES, readyTimeoutMs: 3000, pollIntervalMs: 100 });
        const error = await impatient.resume(F).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ServiceNotReadyError);
        expect((error as Error).message).toMatch(
            new RegExp(`^tenant ${F}: service "db" \\(container ${F}-db\\) did not become healthy within 3s \\(last state: starting; restarted [1-9][0-9]* times(, last exit code 3)?\\); not started because of it: auth$`),
        );
        await docker.getContainer(`${F}-db`).stop();
    });

    it("fails fast when a dependency turns unhealthy", async () => {
        const error = await host.resume(E).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ServiceNotReadyError);
        expect((error as Error).message).toBe(`tenant ${E}: service "db" (container ${E}-db) is unhealthy; not started because of it: rest`);
        expect(await host.serviceStates(E)).toEqual(allMissingExcept({ db: "unhealthy", rest: "stopped" }));
    });

    it("refuses to pause or resume a tenant that has no containers on the host", async () => {
        const nobody = `t-${run}-nobody`;
        const message = `tenant ${nobody} has no containers on Docker host ${TEST_DOCKER_HOST} (none labelled supabase-fleet.tenant=${nobody})`;
        await expect(host.pause(nobody)).rejects.toThrow(TenantNotOnHostError);
        await expect(host.resume(nobody)).rejects.toThrow(message);
        // C has a network and a volume but no container: still nothing to start.
        await expect(host.resume(C)).rejects.toThrow(TenantNotOnHostError);
    });
});
