import { describe, expect, it } from "vitest";
import type { StackState } from "../../stacks/fleet/engine.js";
import { FleetUsageError } from "../../stacks/fleet/fleet.js";
import { planMove, withoutDockerResources } from "../../stacks/fleet/move.js";
import { applySync, planSync } from "../../stacks/fleet/sync.js";
import { memoryFleet, registryOf } from "./helpers.js";

const urn = (type: string, name: string) => `urn:pulumi:acme::supabase-fleet::${type}::${name}`;
const PROVIDER = urn("pulumi:providers:docker", "acme-docker");

describe("the checkpoint a move imports", () => {
    it("forgets the Docker provider and everything it manages, and the references to them, and keeps the rest as it was", () => {
        const state: StackState = {
            version: 3,
            deployment: {
                manifest: { time: "2026-12-07T00:00:00Z" },
                resources: [
                    { urn: urn("pulumi:pulumi:Stack", "supabase-fleet-acme"), type: "pulumi:pulumi:Stack" },
                    { urn: urn("random:index/randomPassword:RandomPassword", "acme-jwtSecret"), type: "random:index/randomPassword:RandomPassword", outputs: { result: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" } } },
                    { urn: PROVIDER, type: "pulumi:providers:docker", inputs: { host: "unix:///var/run/docker.sock" } },
                    { urn: urn("docker:index/volume:Volume", "acme-db-data"), type: "docker:index/volume:Volume", provider: `${PROVIDER}::0b8f` },
                    { urn: urn("docker:index/container:Container", "acme-db"), type: "docker:index/container:Container", provider: `${PROVIDER}::0b8f`, dependencies: [urn("docker:index/volume:Volume", "acme-db-data")] },
                    {
                        urn: urn("command:local:Command", "acme-db-password-sync"),
                        type: "command:local:Command",
                        dependencies: [urn("docker:index/container:Container", "acme-db"), urn("random:index/randomPassword:RandomPassword", "acme-jwtSecret")],
                        propertyDependencies: { environment: [urn("docker:index/container:Container", "acme-db"), urn("random:index/randomPassword:RandomPassword", "acme-jwtSecret")] },
                        deletedWith: urn("docker:index/container:Container", "acme-db"),
                    },
                ],
            },
        };
        const forgotten = withoutDockerResources(state);
        expect(forgotten.deployment.resources!.map((resource) => resource.type)).toEqual(["pulumi:pulumi:Stack", "random:index/randomPassword:RandomPassword", "command:local:Command"]);
        expect(forgotten.deployment.resources![1]).toEqual(state.deployment.resources![1]);
        expect(forgotten.deployment.resources![2]).toEqual({
            urn: urn("command:local:Command", "acme-db-password-sync"),
            type: "command:local:Command",
            dependencies: [urn("random:index/randomPassword:RandomPassword", "acme-jwtSecret")],
            propertyDependencies: { environment: [urn("random:index/randomPassword:RandomPassword", "acme-jwtSecret")] },
        });
        expect(forgotten.deployment.manifest).toEqual(state.deployment.manifest);
    });
});

describe("fleet move's checks, before anything changes", () => {
    const hosts = {
        local: { dockerHost: "unix:///var/run/docker.sock", portRange: { from: 41000, to: 41099 }, capacity: { memoryMb: 65536, cpus: 64, tenants: 10 } },
        edge: { dockerHost: "ssh://deploy@edge-1", portRange: { from: 42000, to: 42099 }, capacity: { memoryMb: 65536, cpus: 64, tenants: 10 } },
        tiny: { dockerHost: "ssh://deploy@tiny-1", portRange: { from: 43000, to: 43099 }, capacity: { memoryMb: 1024, cpus: 1, tenants: 1 } },
        twin: { dockerHost: "unix:///var/run/docker.sock", portRange: { from: 44000, to: 44099 }, capacity: { memoryMb: 8192, cpus: 12, tenants: 1 } },
    };
    async function deployed(tenants: Array<Record<string, unknown>>) {
        const registry = registryOf({ defaults: { analyticsEnabled: false }, hosts, tenants });
        const setup = memoryFleet({ registry });
        await applySync(setup.engine, await planSync(setup.engine, registry), { parallel: 2 });
        return setup;
    }
    const refusal = (promise: Promise<unknown>) =>
        promise.then(
            () => "no refusal",
            (error: unknown) => (error instanceof FleetUsageError ? error.message : `not a usage error: ${String(error)}`),
        );

    it("names the ports on both hosts of a move that can go ahead", async () => {
        const { fleet, engine } = await deployed([{ ref: "acme" }]);
        await engine.up("acme");
        const plan = await planMove(fleet, "acme", "edge");
        expect([plan.from.name, plan.to.name, plan.fromPorts.kongHttpPort, plan.toPorts]).toEqual(["local", "edge", 41000, { kongHttpPort: 42000, kongHttpsPort: 42001, postgresPort: 42002, poolerTransactionPort: 42003 }]);
    });

    it("refuses, one line each, what a move cannot do", async () => {
        const { fleet, engine, docker } = await deployed([{ ref: "acme" }, { ref: "fresh" }, { ref: "pinned", host: "local" }]);
        for (const ref of ["acme", "pinned"]) await engine.up(ref);
        expect(await refusal(planMove(fleet, "acme", "mars"))).toBe("--to mars: unknown host (defined: local, edge, tiny, twin)");
        expect(await refusal(planMove(fleet, "fresh", "edge"))).toBe("fresh was never deployed: nothing to move; change its host in fleet.yaml and run fleet sync");
        expect(await refusal(planMove(fleet, "acme", "local"))).toBe("acme already runs on host local");
        expect(await refusal(planMove(fleet, "acme", "twin"))).toBe("hosts local and twin are the same Docker daemon (unix:///var/run/docker.sock): a move needs another daemon");
        expect(await refusal(planMove(fleet, "pinned", "edge"))).toBe("fleet.yaml puts pinned on host local: set host: edge there (or leave host out), then move it");
        expect(await refusal(planMove(fleet, "acme", "tiny"))).toBe("acme does not fit on host tiny: it needs 6400 MiB, 11 CPUs and a tenant slot; the host has 1024 MiB, 1 CPUs, 1 slot free");
        docker.get("ssh://deploy@edge-1").volumes.set("acme", ["acme-db-data"]);
        expect(await refusal(planMove(fleet, "acme", "edge"))).toBe("host edge already holds objects of acme (acme-db-data), from an earlier tenant of that ref: back them up and remove them first (fleet orphans lists them)");
        await engine.setConfig("acme", { movedFromHost: "edge" }, []);
        expect(await refusal(planMove(fleet, "acme", "edge"))).toBe("acme still keeps its volumes on edge from its last move: fleet move acme --confirm removes them first");
        await engine.setConfig("pinned", { paused: true }, []);
        expect(await refusal(planMove(fleet, "pinned", "edge"))).toBe("pinned is paused: a move backs it up from its running database; fleet resume pinned first");
    });
});
