import { describe, expect, it } from "vitest";
import { MemoryEngine } from "./doubles/memoryEngine.js";
import { applySync, planSync } from "../../stacks/fleet/sync.js";
import { registryOf } from "./helpers.js";

const hosts = {
    local: { dockerHost: "unix:///var/run/docker.sock", portRange: { from: 54400, to: 54499 } },
    edge: { dockerHost: "ssh://deploy@edge-1", portRange: { from: 20000, to: 20099 } },
};

function registry(tenants: Array<Record<string, unknown>>, defaults: Record<string, unknown> = {}) {
    return registryOf({ hosts, defaults, tenants }, { BETA_SMTP: "smtp-secret-value" });
}

const beta = { ref: "beta", host: "edge", kongHttpPort: 20050, smtpHost: "smtp.example.com", smtpUser: "mailer", smtpPassword: { fromEnv: "BETA_SMTP" } };

describe("fleet sync", () => {
    it("creates missing stacks with allocated ports, writes secrets as secrets, reports but never deletes unlisted stacks", async () => {
        const engine = new MemoryEngine();
        await engine.createStack("legacy", { ref: "legacy", kongHttpPort: 54400 }, []);
        const plan = await planSync(engine, registry([{ ref: "alpha", host: "local" }, beta]));
        expect(plan.items.map((item) => ({ ref: item.ref, action: item.action, ports: item.ports, allocated: item.allocatedPorts }))).toEqual([
            { ref: "alpha", action: "create", ports: { kongHttpPort: 54401, kongHttpsPort: 54402, postgresPort: 54403, poolerTransactionPort: 54404 }, allocated: ["kongHttpPort", "kongHttpsPort", "postgresPort", "poolerTransactionPort"] },
            { ref: "beta", action: "create", ports: { kongHttpPort: 20050, kongHttpsPort: 20000, postgresPort: 20001, poolerTransactionPort: 20002 }, allocated: ["kongHttpsPort", "postgresPort", "poolerTransactionPort"] },
            { ref: "legacy", action: "unmanaged", ports: undefined, allocated: [] },
        ]);
        expect(plan.items[2]!.note).toBe("not in fleet.yaml; left as it is (fleet destroy legacy removes it)");

        const report = await applySync(engine, plan, { parallel: 4 });
        expect(report.results.map((r) => [r.ref, r.outcome])).toEqual([["alpha", "succeeded"], ["beta", "succeeded"]]);
        expect(engine.rawConfig("beta")).toEqual({
            // Recorded at creation: the default release for new tenants, with its gateway and Postgres major.
            release: { value: "0.8.2", secret: false },
            gateway: { value: "envoy", secret: false },
            dbDataPostgresMajor: { value: "17", secret: false },
            authEmailAutoconfirm: { value: "true", secret: false },
            ref: { value: "beta", secret: false },
            kongHttpPort: { value: "20050", secret: false },
            smtpHost: { value: "smtp.example.com", secret: false },
            smtpUser: { value: "mailer", secret: false },
            smtpPassword: { value: "smtp-secret-value", secret: true },
            dockerHost: { value: "ssh://deploy@edge-1", secret: false },
            fleetHost: { value: "edge", secret: false },
            kongHttpsPort: { value: "20000", secret: false },
            postgresPort: { value: "20001", secret: false },
            poolerTransactionPort: { value: "20002", secret: false },
        });
        expect(engine.has("legacy")).toBe(true);
        expect(engine.calls.filter((call) => call.startsWith("removeStack"))).toEqual([]);
    });

    it("is stable: a second sync changes nothing, and a tenant added in front does not move anyone's ports", async () => {
        const engine = new MemoryEngine();
        await applySync(engine, await planSync(engine, registry([{ ref: "alpha", host: "local" }, { ref: "gamma", host: "local" }])), { parallel: 2 });
        const again = await planSync(engine, registry([{ ref: "alpha", host: "local" }, { ref: "gamma", host: "local" }]));
        expect(again.items.map((item) => [item.ref, item.action])).toEqual([["alpha", "unchanged"], ["gamma", "unchanged"]]);

        const grown = await planSync(engine, registry([{ ref: "newcomer", host: "local" }, { ref: "alpha", host: "local" }, { ref: "gamma", host: "local" }]));
        expect(grown.items.map((item) => [item.ref, item.action, item.ports?.kongHttpPort])).toEqual([
            ["newcomer", "create", 54408],
            ["alpha", "unchanged", 54400],
            ["gamma", "unchanged", 54404],
        ]);
    });

    it("updates changed settings, unsets removed ones, and keeps fleet-owned keys such as paused", async () => {
        const engine = new MemoryEngine();
        await applySync(engine, await planSync(engine, registry([{ ref: "alpha", host: "local", siteUrl: "https://old.example.com", jwtExpirySeconds: 600 }])), { parallel: 1 });
        await engine.setConfig("alpha", { paused: true }, []);

        const plan = await planSync(engine, registry([{ ref: "alpha", host: "local", siteUrl: "https://new.example.com" }]));
        expect(plan.items[0]).toMatchObject({ ref: "alpha", action: "update", changedKeys: ["siteUrl"], removedKeys: ["jwtExpirySeconds"] });
        await applySync(engine, plan, { parallel: 1 });
        const config = await engine.getConfig("alpha");
        expect(config.siteUrl).toBe("https://new.example.com");
        expect(config.jwtExpirySeconds).toBeUndefined();
        expect(config.paused).toBe("true");
        expect(config.kongHttpPort).toBe("54400");
    });

    it("allocates around explicit ports of tenants not created yet, and marks colliding explicit ports invalid", async () => {
        const engine = new MemoryEngine();
        const plan = await planSync(engine, registry([{ ref: "alpha", host: "local" }, { ref: "delta", host: "local", postgresPort: 54400 }]));
        // delta's explicit port is claimed up front, so alpha is allocated around it.
        expect(plan.items.map((item) => [item.ref, item.action, item.ports?.kongHttpPort])).toEqual([["alpha", "create", 54401], ["delta", "create", 54405]]);

        const clash = await planSync(engine, registry([{ ref: "alpha", host: "local", kongHttpPort: 54410 }, { ref: "delta", host: "local", postgresPort: 54410 }]));
        // Two tenants asking for one port are both wrong: neither wins silently.
        expect(clash.items.map((item) => [item.ref, item.action, item.note])).toEqual([
            ["alpha", "invalid", "alpha: kongHttpPort 54410 (set in the registry) is already used by tenant delta (postgresPort) on Docker host unix:///var/run/docker.sock"],
            ["delta", "invalid", "delta: postgresPort 54410 (set in the registry) is already used by tenant alpha (kongHttpPort) on Docker host unix:///var/run/docker.sock"],
        ]);
    });

    it("isolates a failed create: the others are created, the failed one leaves nothing behind", async () => {
        const engine = new MemoryEngine();
        engine.failNext("beta", "setConfig", "backend write failed");
        const report = await applySync(engine, await planSync(engine, registry([{ ref: "alpha", host: "local" }, beta, { ref: "gamma", host: "local" }])), { parallel: 3 });
        expect(report.results.map((r) => [r.ref, r.outcome, r.message ?? null])).toEqual([
            ["alpha", "succeeded", null],
            ["beta", "failed", "backend write failed"],
            ["gamma", "succeeded", null],
        ]);
        expect(engine.has("beta")).toBe(false);
        expect(engine.has("gamma")).toBe(true);
    });

    it("refuses to switch a deployed tenant to another Docker host, whose data would stay behind, and moves one never deployed", async () => {
        const engine = new MemoryEngine();
        await applySync(engine, await planSync(engine, registry([{ ref: "alpha", host: "local" }, { ref: "gamma", host: "local" }])), { parallel: 2 });
        await engine.up("alpha");
        const before = engine.rawConfig("alpha");
        const plan = await planSync(engine, registry([{ ref: "alpha", host: "edge" }, { ref: "gamma", host: "edge" }]));
        expect(plan.items.map((item) => [item.ref, item.action, item.note])).toEqual([
            [
                "alpha",
                "invalid",
                "its stack runs on unix:///var/run/docker.sock and fleet.yaml now puts it on host edge (ssh://deploy@edge-1); sync does not move a deployed tenant, whose data would stay behind: fleet move alpha --to edge moves it with its data, or set host back",
            ],
            ["gamma", "update", "moves from unix:///var/run/docker.sock to ssh://deploy@edge-1 (never deployed): ports reallocated"],
        ]);
        await applySync(engine, plan, { parallel: 2 });
        expect(engine.rawConfig("alpha")).toEqual(before);
        expect((await engine.getConfig("gamma")).dockerHost).toBe("ssh://deploy@edge-1");
    });
});
