/**
 * Releases in the fleet: a new tenant's stack records the default release and its Postgres major; an
 * existing stack keeps what it recorded (or, made before releases, nothing: feb-2026) unless the
 * registry states another release, and then a Postgres major its data does not have is refused.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_RELEASE } from "../../components/releases.js";
import { applySync, planSync } from "../../stacks/fleet/sync.js";
import { MemoryEngine } from "./doubles/memoryEngine.js";
import { LOCAL_SOCKET, memoryFleet, registryOf } from "./helpers.js";

const hosts = { local: { dockerHost: LOCAL_SOCKET, portRange: { from: 54400, to: 54499 } } };
const registry = (tenants: Array<Record<string, unknown>>, defaults: Record<string, unknown> = {}) => registryOf({ hosts, defaults, tenants });
/** A stack as every stack was before releases existed: no release setting at all. */
const LEGACY_PORTS = { kongHttpPort: 54490, kongHttpsPort: 54491, postgresPort: 54492, poolerTransactionPort: 54493 };

describe("releases in fleet create and sync", () => {
    it("fleet create records the default release and its Postgres major", async () => {
        const { fleet, engine } = memoryFleet({ registry: registryOf({ hosts, tenants: [{ ref: "alpha" }, { ref: "older", release: "feb-2026" }] }) });
        await fleet.create("alpha");
        await fleet.create("older");
        const recorded = async (ref: string) => {
            const config = await engine.getConfig(ref);
            return [config.release, config.dbDataPostgresMajor];
        };
        expect(DEFAULT_RELEASE).toBe("0.8.2");
        expect(await recorded("alpha")).toEqual(["0.8.2", "17"]);
        // A release stated in fleet.yaml is honoured, with its own major.
        expect(await recorded("older")).toEqual(["feb-2026", "15"]);
    });

    it("leaves a stack made before releases on feb-2026: nothing written, nothing unset", async () => {
        const engine = new MemoryEngine();
        await engine.createStack("legacy", { ref: "legacy", dockerHost: LOCAL_SOCKET, authEmailAutoconfirm: true, ...LEGACY_PORTS }, []);
        const plan = await planSync(engine, registry([{ ref: "legacy", host: "local", ...LEGACY_PORTS }]));
        expect(plan.items.map((item) => [item.ref, item.action, item.changedKeys, item.removedKeys])).toEqual([["legacy", "unchanged", [], []]]);
    });

    it("keeps a recorded release when fleet.yaml states none, so a later default cannot move the tenant", async () => {
        const engine = new MemoryEngine();
        await engine.createStack("pinned", { ref: "pinned", dockerHost: LOCAL_SOCKET, authEmailAutoconfirm: true, release: "feb-2026", dbDataPostgresMajor: 15, ...LEGACY_PORTS }, []);
        const plan = await planSync(engine, registry([{ ref: "pinned", host: "local", ...LEGACY_PORTS }]));
        expect(plan.items.map((item) => [item.action, item.removedKeys])).toEqual([["unchanged", []]]);
    });

    it("moves a Postgres 15 tenant to 0.8.2 through fleet.yaml on 0.8.2's Postgres 15 image, and to Postgres 17 only once its data is declared 17", async () => {
        const engine = new MemoryEngine();
        await engine.createStack("legacy", { ref: "legacy", dockerHost: LOCAL_SOCKET, authEmailAutoconfirm: true, ...LEGACY_PORTS }, []);
        const moved = await planSync(engine, registry([{ ref: "legacy", host: "local", ...LEGACY_PORTS }], { release: "0.8.2" }));
        expect(moved.items.map((item) => [item.action, item.changedKeys])).toEqual([["update", ["release"]]]);
        expect((await engine.getConfig("legacy")).dbDataPostgresMajor).toBeUndefined(); // unset: 15

        const upgraded = await planSync(engine, registry([{ ref: "legacy", host: "local", release: "0.8.2", dbDataPostgresMajor: 17, ...LEGACY_PORTS }]));
        expect(upgraded.items.map((item) => [item.action, item.changedKeys])).toEqual([["update", ["dbDataPostgresMajor", "release"]]]);
        await applySync(engine, upgraded, { parallel: 1 });
        expect((await engine.getConfig("legacy")).release).toBe("0.8.2");
    });

    it("sync creates new tenants on the default release, existing ones keep theirs", async () => {
        const engine = new MemoryEngine();
        await engine.createStack("legacy", { ref: "legacy", dockerHost: LOCAL_SOCKET, authEmailAutoconfirm: true, ...LEGACY_PORTS }, []);
        const plan = await planSync(engine, registry([{ ref: "legacy", host: "local", ...LEGACY_PORTS }, { ref: "fresh", host: "local" }]));
        await applySync(engine, plan, { parallel: 2 });
        expect((await engine.getConfig("fresh")).release).toBe(DEFAULT_RELEASE);
        expect((await engine.getConfig("legacy")).release).toBeUndefined();
    });
});
