import { describe, expect, it } from "vitest";
import { DockerUnreachableError, FleetUsageError } from "../../stacks/fleet/fleet.js";
import { PortAllocationError } from "../../stacks/fleet/portAllocator.js";
import { collectStatus } from "../../stacks/fleet/tenantStatus.js";
import { DEFAULT_RELEASE, RELEASES } from "../../components/releases.js";
import { LOCAL_SOCKET, memoryFleet, registryOf } from "./helpers.js";

const tinyHost = { local: { dockerHost: LOCAL_SOCKET, portRange: { from: 30000, to: 30007 } } };

describe("fleet create", () => {
    it("allocates ports unique on the host, records them in the stack config and reports them", async () => {
        const { fleet, engine } = memoryFleet({ registry: registryOf({ hosts: tinyHost, tenants: [{ ref: "alpha" }] }) });
        const alpha = await fleet.create("alpha");
        const beta = await fleet.create("beta");
        expect(alpha).toEqual({
            ref: "alpha",
            host: "local",
            dockerHost: LOCAL_SOCKET,
            ports: { kongHttpPort: 30000, kongHttpsPort: 30001, postgresPort: 30002, poolerTransactionPort: 30003 },
            allocatedPorts: ["kongHttpPort", "kongHttpsPort", "postgresPort", "poolerTransactionPort"],
            unmanaged: false,
        });
        expect(beta.ports).toEqual({ kongHttpPort: 30004, kongHttpsPort: 30005, postgresPort: 30006, poolerTransactionPort: 30007 });
        expect(beta.unmanaged).toBe(true);
        expect((await engine.getConfig("alpha")).postgresPort).toBe("30002");
    });

    it("refuses a duplicate ref, an invalid ref and an exhausted range, leaving nothing behind", async () => {
        const { fleet, engine } = memoryFleet({ registry: registryOf({ hosts: tinyHost, tenants: [] }) });
        await fleet.create("alpha");
        await fleet.create("beta");
        await expect(fleet.create("alpha")).rejects.toThrow(new FleetUsageError('tenant "alpha" already exists; fleet up alpha deploys it, fleet destroy alpha removes it'));
        await expect(fleet.create("Bad_Ref")).rejects.toThrow(
            new FleetUsageError('tenant ref "Bad_Ref": must be 3-32 characters of lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit (it is used in every Docker name and host name)'),
        );
        await expect(fleet.create("gamma")).rejects.toBeInstanceOf(PortAllocationError);
        expect((await engine.listStacks()).map((s) => s.ref)).toEqual(["alpha", "beta"]);
    });

    it("checks the Docker host before creating anything", async () => {
        const { fleet, engine, docker } = memoryFleet();
        docker.get(LOCAL_SOCKET).unreachable = "connect ENOENT /var/run/docker.sock";
        await expect(fleet.create("alpha")).rejects.toThrow(new DockerUnreachableError(LOCAL_SOCKET, new Error("connect ENOENT /var/run/docker.sock")));
        expect(engine.has("alpha")).toBe(false);
        await fleet.create("alpha", { skipDockerCheck: true });
        expect(engine.has("alpha")).toBe(true);
    });

    it("explains when a tenant outside the registry cannot be made from defaults alone", async () => {
        const { fleet, engine } = memoryFleet({ registry: registryOf({ defaults: { authEmailAutoconfirm: false }, tenants: [] }) });
        await expect(fleet.create("alpha")).rejects.toThrow(
            new FleetUsageError(
                "alpha cannot be created from defaults alone: alpha: smtpHost: is required when authEmailEnabled is true and authEmailAutoconfirm is false (confirmation mails need an SMTP server); set smtpHost, or set authEmailAutoconfirm to true; add alpha to fleet.yaml with its settings",
            ),
        );
        expect(engine.has("alpha")).toBe(false);
    });

    it("rolls back a stack whose config could not be written", async () => {
        const { fleet, engine } = memoryFleet();
        engine.failNext("alpha", "setConfig", "secrets provider unavailable");
        await expect(fleet.create("alpha")).rejects.toThrow("secrets provider unavailable");
        expect(engine.has("alpha")).toBe(false);
    });
});

describe("pause, resume, destroy and status", () => {
    it("pause records paused and stops containers; up keeps it paused; resume clears it and starts them", async () => {
        const { fleet, engine, docker } = memoryFleet();
        await fleet.create("alpha");
        await fleet.up("alpha");
        const callsBefore = engine.calls.length;
        await fleet.pause("alpha");
        expect((await engine.getConfig("alpha")).paused).toBe("true");
        // The paused setting is applied to the stack before any container stops.
        expect(engine.calls.slice(callsBefore).filter((c) => /^(setConfig|update) /.test(c))).toEqual(["setConfig alpha", "update alpha"]);
        expect(docker.get(LOCAL_SOCKET).calls).toContain("pause alpha");
        await fleet.up("alpha");
        let [status] = await collectStatus(fleet, ["alpha"], 1);
        expect([status!.state, status!.paused]).toEqual(["PAUSED", true]);

        await fleet.resume("alpha");
        expect((await engine.getConfig("alpha")).paused).toBe("false");
        [status] = await collectStatus(fleet, ["alpha"], 1);
        expect(status!.state).toBe("ACTIVE");
        expect(docker.get(LOCAL_SOCKET).calls.filter((c) => c.startsWith("pause") || c.startsWith("resume"))).toEqual(["pause alpha", "resume alpha"]);
    });

    it("refuses to pause while an update holds the stack", async () => {
        const { fleet, engine } = memoryFleet();
        await fleet.create("alpha");
        engine.lockByAnotherProcess("alpha");
        await expect(fleet.pause("alpha")).rejects.toThrow("cannot pause alpha: a Pulumi update is in progress on its stack; wait for it to finish");
        expect((await engine.getConfig("alpha")).paused).toBeUndefined();
    });

    it("refuses up, refresh and destroy of a locked stack before it writes its config or runs anything", async () => {
        const { fleet, engine } = memoryFleet();
        await fleet.create("alpha");
        engine.lockByAnotherProcess("alpha", "held by ci@runner-7 pid 42 since 2026-12-04T10:00:00Z");
        const before = engine.calls.length;
        for (const attempt of [() => fleet.up("alpha"), () => fleet.refresh("alpha"), () => fleet.destroy("alpha", true)]) {
            await expect(attempt()).rejects.toThrow('stack "alpha" is locked by another update (held by ci@runner-7 pid 42 since 2026-12-04T10:00:00Z)');
        }
        expect(engine.calls.slice(before)).toEqual([]);
    });

    it("destroy keeps data unless asked, writes that choice to the stack first, and removes the stack", async () => {
        const { fleet, engine } = memoryFleet();
        await fleet.create("alpha");
        await fleet.create("beta");
        await fleet.up("alpha");
        await fleet.up("beta");
        await engine.setConfig("beta", { deleteDataOnDestroy: true }, []);
        const configAtDestroy: Record<string, string | undefined> = {};
        const destroy = engine.destroy.bind(engine);
        engine.destroy = async (ref, options) => {
            configAtDestroy[ref] = (await engine.getConfig(ref)).deleteDataOnDestroy;
            return destroy(ref, options);
        };
        expect(await fleet.destroy("alpha", true)).toEqual({ ref: "alpha", changes: { delete: 20 }, dataDeleted: true });
        expect(await fleet.destroy("beta", false)).toEqual({ ref: "beta", changes: { delete: 20 }, dataDeleted: false });
        expect(configAtDestroy).toEqual({ alpha: "true", beta: "false" });
        expect(engine.has("alpha") || engine.has("beta")).toBe(false);
    });

    it("a failed destroy is tried once more, and fails for good only when the second try fails too", async () => {
        const { fleet, engine } = memoryFleet();
        for (const ref of ["alpha", "beta"]) {
            await fleet.create(ref);
            await fleet.up(ref);
        }
        engine.failNext("alpha", "destroy", "Error: timeout while waiting for state to become 'removed' (last state: 'in_use')");
        await expect(fleet.destroy("alpha", true)).resolves.toMatchObject({ ref: "alpha", dataDeleted: true, firstTryError: "Error: timeout while waiting for state to become 'removed' (last state: 'in_use')" });
        expect(engine.has("alpha")).toBe(false);

        engine.failNext("beta", "destroy", "network alpha-net has active endpoints", 2);
        await expect(fleet.destroy("beta", true)).rejects.toThrow("network alpha-net has active endpoints");
        expect(engine.has("beta")).toBe(true); // the stack stays, so the destroy can be run again
        expect(engine.calls.filter((call) => call.startsWith("destroy"))).toEqual(["destroy alpha", "destroy alpha", "destroy beta", "destroy beta"]);
    });

    it("destroy removes the log folder the daemon made for a tenant with analytics, with the tenant's vector image, and never fails for it", async () => {
        const { fleet, engine, docker } = memoryFleet();
        for (const ref of ["alpha", "beta", "gamma"]) await fleet.create(ref);
        await engine.setConfig("beta", { analyticsEnabled: false }, []);
        await engine.setConfig("gamma", { vectorImage: "mirror.example.com/timberio/vector:0.53.0-alpine", logSocketDir: "/srv/fleet-logs" }, []);
        for (const ref of ["alpha", "beta", "gamma"]) await fleet.destroy(ref, false);
        expect(docker.get(LOCAL_SOCKET).removedLogFolders).toEqual([
            `/run/supabase-fleet/alpha ${RELEASES[DEFAULT_RELEASE].images.vector}`,
            "/srv/fleet-logs/gamma mirror.example.com/timberio/vector:0.53.0-alpine",
        ]);
        // A host that fails the removal leaves the folder behind, and the tenant is destroyed all the same.
        await fleet.create("delta");
        const host = docker.get(LOCAL_SOCKET);
        host.removeLogFolder = async () => {
            throw new Error("no such image");
        };
        await expect(fleet.destroy("delta", false)).resolves.toMatchObject({ ref: "delta", dataDeleted: false });
        expect(engine.has("delta")).toBe(false);
    });

    it("status shows URLs from config and UNKNOWN when the Docker host cannot be reached", async () => {
        const { fleet, docker } = memoryFleet();
        await fleet.create("alpha");
        await fleet.up("alpha");
        docker.get(LOCAL_SOCKET).unreachable = "connect ECONNREFUSED";
        const [status] = await collectStatus(fleet, ["alpha"], 1);
        expect(status).toMatchObject({
            ref: "alpha",
            state: "UNKNOWN",
            reason: "the Docker host cannot be reached, so container states are unknown (connect ECONNREFUSED)",
            services: null,
            urls: { api: "http://localhost:24400", studio: "http://localhost:24400", database: "postgresql://postgres.alpha@localhost:24402/postgres" },
            managed: false,
        });
    });
});
