import { describe, expect, it } from "vitest";
import { declaredLimits } from "../../components/services/index.js";
import { parseTenantConfig } from "../../components/config/load.js";
import { RegistryError } from "../../stacks/fleet/registry.js";
import { applySync, planSync } from "../../stacks/fleet/sync.js";
import { MemoryEngine } from "./doubles/memoryEngine.js";
import { cliHarness, registryOf } from "./helpers.js";

// Without analytics a tenant's containers declare 6400 MiB and 11 CPUs in all (the catalog's limits).
const big = { dockerHost: "unix:///var/run/docker.sock", portRange: { from: 41000, to: 41099 }, capacity: { memoryMb: 32768, cpus: 48, tenants: 4 } };
const small = { dockerHost: "ssh://deploy@small-1", portRange: { from: 42000, to: 42099 }, capacity: { memoryMb: 16384, cpus: 24, tenants: 10 } };
const refs = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"];

function registry(hosts: Record<string, unknown>, tenants: Array<Record<string, unknown>>) {
    return registryOf({ defaults: { analyticsEnabled: false }, hosts, tenants });
}

describe("placement by capacity", () => {
    it("counts the limits of the containers a tenant runs", () => {
        const config = (settings: Record<string, unknown>) => parseTenantConfig({ ref: "acme", authEmailAutoconfirm: true, ...settings }, "test");
        expect(declaredLimits(config({ analyticsEnabled: false }))).toEqual({ memoryMb: 6400, cpus: 11 });
        expect(declaredLimits(config({ analyticsEnabled: true }))).toEqual({ memoryMb: 7680, cpus: 12.5 });
        expect(declaredLimits(config({ analyticsEnabled: false, dbMemoryMb: 4096, restCpus: "0.25" }))).toEqual({ memoryMb: 8448, cpus: 10.25 });
    });

    it("places each new tenant on the host whose tightest resource keeps the most room, in registry order, and refuses one that fits nowhere with the numbers", async () => {
        const engine = new MemoryEngine();
        const plan = await planSync(engine, registry({ big, small }, refs.map((ref) => ({ ref }))));
        expect(plan.items.map((item) => [item.ref, item.action, item.host ?? "-"])).toEqual([
            ["alpha", "create", "big"],
            ["bravo", "create", "small"],
            ["charlie", "create", "big"],
            ["delta", "create", "big"],
            ["echo", "create", "small"],
            ["foxtrot", "create", "big"],
            ["golf", "invalid", "-"],
        ]);
        expect(plan.items[0]!.note).toBe("placed by capacity; big keeps 26368 MiB, 37 CPUs, 3 slots free");
        expect(plan.items[6]!.note).toBe(
            "golf fits on no host: it needs 6400 MiB, 11 CPUs and a tenant slot; big has 7168 MiB, 4 CPUs, 0 slots free; small has 3584 MiB, 2 CPUs, 8 slots free",
        );
        // The chosen host's daemon and ports, and its name as the record of the placement.
        await applySync(engine, plan, { parallel: 2 });
        const bravo = await engine.getConfig("bravo");
        expect([bravo.fleetHost, bravo.dockerHost, Number(bravo.kongHttpPort) >= 42000]).toEqual(["small", "ssh://deploy@small-1", true]);
    });

    it("never moves a placed tenant by itself: not when capacities change, and not when its host leaves fleet.yaml", async () => {
        const engine = new MemoryEngine();
        await applySync(engine, await planSync(engine, registry({ big, small }, [{ ref: "alpha" }, { ref: "bravo" }])), { parallel: 2 });
        const swapped = registry({ big: { ...big, capacity: small.capacity }, small: { ...small, capacity: { memoryMb: 1 << 20, cpus: 512, tenants: 100 } } }, [{ ref: "alpha" }, { ref: "bravo" }]);
        expect((await planSync(engine, swapped)).items.map((item) => [item.ref, item.action, item.host])).toEqual([
            ["alpha", "unchanged", "big"],
            ["bravo", "unchanged", "small"],
        ]);
        const withoutSmall = await planSync(engine, registry({ big }, [{ ref: "alpha" }, { ref: "bravo" }]));
        expect(withoutSmall.items.map((item) => [item.ref, item.action, item.note])).toEqual([
            ["alpha", "unchanged", undefined],
            ["bravo", "invalid", "bravo runs on host small, which fleet.yaml no longer defines: add it back, or set host: <name> to say where the tenant is"],
        ]);
    });

    it("finds a stack made before placement was recorded by its daemon and port range, and writes nothing for it", async () => {
        const engine = new MemoryEngine();
        await engine.createStack("legacy", { ref: "legacy", authEmailAutoconfirm: true, analyticsEnabled: false, dockerHost: small.dockerHost, kongHttpPort: 42010, kongHttpsPort: 42011, postgresPort: 42012, poolerTransactionPort: 42013 }, []);
        const plan = await planSync(engine, registry({ big, small }, [{ ref: "legacy" }]));
        expect(plan.items.map((item) => [item.action, item.host, item.changedKeys])).toEqual([["unchanged", "small", []]]);
        const stray = new MemoryEngine();
        await stray.createStack("stray", { ref: "stray", authEmailAutoconfirm: true, dockerHost: "ssh://deploy@elsewhere" }, []);
        expect((await planSync(stray, registry({ big, small }, [{ ref: "stray" }]))).items[0]!.note).toBe(
            "stray: no host of fleet.yaml matches the stack's Docker host ssh://deploy@elsewhere and ports; set host: <name> for the tenant",
        );
    });

    it("refuses a tenant on a named host it does not fit, and placement among hosts of which one declares no capacity", async () => {
        const tight = { ...small, capacity: { memoryMb: 8192, cpus: 8, tenants: 2 } };
        const named = await planSync(new MemoryEngine(), registry({ big, tight }, [{ ref: "alpha", host: "tight" }]));
        expect(named.items.map((item) => [item.action, item.note])).toEqual([["invalid", "alpha does not fit on host tight: it needs 6400 MiB, 11 CPUs and a tenant slot; the host has 8192 MiB, 8 CPUs, 2 slots free"]]);
        const { capacity: _none, ...uncounted } = small;
        const unplaced = await planSync(new MemoryEngine(), registry({ big, uncounted }, [{ ref: "alpha" }]));
        expect(unplaced.items[0]!.note).toBe("alpha has no host and none can be chosen: host uncounted declares no capacity; give every host capacity: { memoryMb, cpus, tenants }, or set host: <name> for the tenant");
    });

    it("validates capacity in fleet.yaml, one line per problem", () => {
        const problems = (capacity: unknown) => {
            try {
                registry({ big: { ...big, capacity } }, []);
                return [];
            } catch (error) {
                return (error as RegistryError).problems;
            }
        };
        expect(problems({ memoryMb: 0, cpus: 2, tenants: 1 })).toEqual(["hosts.big.capacity.memoryMb: must be above 0 (MiB)"]);
        expect(problems({ memoryMb: 1024, cpus: "many", tenants: 1.5 })).toEqual([
            "hosts.big.capacity.cpus: must be a number of CPUs above 0, at most 4096",
            "hosts.big.capacity.tenants: must be a whole number of tenants from 1 to 10000",
        ]);
        expect(problems({ memoryMb: 1024, cpus: 2 })).toEqual(["hosts.big.capacity.tenants: must be a whole number of tenants from 1 to 10000"]);
        expect(problems({ memoryMb: 1024, cpus: 2, tenants: 1, disk: 5 })).toEqual(["hosts.big.capacity: unknown key (allowed: memoryMb, cpus, tenants)"]);
    });

    it("fleet hosts shows each host's capacity, use and tenants, and fleet create places a tenant outside fleet.yaml as sync does", async () => {
        const { run } = cliHarness(`defaults:
  authEmailAutoconfirm: true
  analyticsEnabled: false
hosts:
  big:
    dockerHost: unix:///var/run/docker.sock
    portRange: { from: 41000, to: 41099 }
    capacity: { memoryMb: 32768, cpus: 48, tenants: 4 }
  small:
    dockerHost: unix:///var/run/docker.sock
    portRange: { from: 42000, to: 42099 }
    capacity: { memoryMb: 16384, cpus: 24, tenants: 10 }
tenants:
  - ref: alpha
  - ref: bravo
    host: small
    dbMemoryMb: 4096
`);
        expect((await run(["sync"])).code).toBe(0);
        expect((await run(["create", "scratch", "--config-only"])).code).toBe(0);
        const table = await run(["hosts"]);
        expect(table.stdout).toBe(`HOST   DOCKER HOST                  MEMORY MiB     CPUS     TENANTS  REFS
big    unix:///var/run/docker.sock  12800 / 32768  22 / 48  2 / 4    alpha, scratch
small  unix:///var/run/docker.sock  8448 / 16384   11 / 24  1 / 10   bravo
`);
        const listing = JSON.parse((await run(["hosts", "--json"])).stdout) as { hosts: Array<{ name: string; free: unknown }> };
        expect(listing.hosts.find((host) => host.name === "small")!.free).toEqual({ memoryMb: 7936, cpus: 13, tenants: 9 });
        expect((await run(["list"])).stdout).toContain("alpha");
        expect((await run(["hosts", "alpha"])).stderr).toBe("fleet: fleet hosts takes no tenant refs (got alpha)\n");
    });
});
