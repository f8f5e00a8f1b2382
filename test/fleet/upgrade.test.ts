/**
 * `fleet upgrade --release`: checked for every tenant before anything changes, previewed with the
 * config put back, applied in waves that stop at the first failure, and a failed tenant put back on
 * its release.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RELEASES } from "../../components/releases.js";
import { upgradeNotes, upgradeWaves, type UpgradeItem } from "../../stacks/fleet/upgrade.js";
import { cliHarness, threeTenantRegistry as registry } from "./helpers.js";


/** Three tenants deployed on feb-2026, then a fleet.yaml that no longer states a release (the stacks keep theirs). */
async function febTenants() {
    const harness = cliHarness(registry("  release: feb-2026\n"), { resourceCount: 2 });
    const synced = await harness.run(["sync", "--up"]);
    expect(synced.code, synced.stderr).toBe(0);
    writeFileSync(join(harness.cwd, "fleet.yaml"), registry());
    const releaseOf = async (ref: string) => (await harness.engine.getConfig(ref)).release;
    const releases = async () => Promise.all(["alpha", "bravo", "charlie"].map(releaseOf));
    return { ...harness, releases };
}

describe("fleet upgrade", () => {
    it("needs --release naming a known release, and a whole --canary", async () => {
        const { run } = await febTenants();
        expect(await run(["upgrade", "alpha"])).toMatchObject({ code: 2, stderr: "fleet: fleet upgrade needs --release <feb-2026|0.8.2>\n" });
        expect(await run(["upgrade", "alpha", "--release", "0.9.9"])).toMatchObject({ code: 2, stderr: 'fleet: --release: must be one of feb-2026, 0.8.2 (got "0.9.9")\n' });
        expect((await run(["upgrade", "--all", "--release", "0.8.2", "--canary", "0"])).code).toBe(2);
    });

    it("changes nothing when fleet.yaml states another release, or a tenant is paused, or its data has no image on the release", async () => {
        const { run, releases, cwd } = await febTenants();
        writeFileSync(join(cwd, "fleet.yaml"), registry("  release: feb-2026\n"));
        const stated = await run(["upgrade", "--all", "--release", "0.8.2"]);
        expect([stated.code, stated.stderr]).toEqual([2, "fleet: alpha's release is set to feb-2026 in fleet.yaml: change it there to 0.8.2 (or remove it), then run fleet upgrade\n"]);
        writeFileSync(join(cwd, "fleet.yaml"), registry());

        expect((await run(["pause", "charlie"])).code).toBe(0);
        const paused = await run(["upgrade", "--all", "--release", "0.8.2"]);
        expect([paused.code, paused.stderr]).toEqual([2, "fleet: charlie is paused: an upgrade is checked on the running tenant; fleet resume charlie first\n"]);
        expect(await releases()).toEqual(["feb-2026", "feb-2026", "feb-2026"]);
    });

    it("refuses moving a Postgres 17 tenant with Envoy to a release without a Postgres 17 image or Envoy, in one line", async () => {
        const { run, engine } = cliHarness(registry(), { resourceCount: 2 });
        expect((await run(["sync", "--up"])).code).toBe(0);
        expect((await engine.getConfig("alpha")).dbDataPostgresMajor).toBe("17");
        const back = await run(["upgrade", "alpha", "--release", "feb-2026"]);
        expect(back.code).toBe(2);
        expect(back.stderr).toMatch(
            /^fleet: alpha: supabase-fleet:gateway: envoy needs a release that has it \(0\.8\.2\); feb-2026 runs kong only[^\n]*; alpha: supabase-fleet:release: feb-2026 runs Postgres 15 \(supabase\/postgres:15\.8\.1\.085\), but the tenant's data directory is Postgres 17[^\n]*\n$/,
        );
        expect((await engine.getConfig("alpha")).release).toBe("0.8.2");
    });

    it("--preview shows the db image, the restarts and the risks per tenant, and puts the config back", async () => {
        const { run, engine, releases } = await febTenants();
        const before = await engine.getConfig("alpha");
        const preview = await run(["upgrade", "alpha", "--release", "0.8.2", "--preview"]);
        expect(preview.code, preview.stderr).toBe(0);
        expect(preview.stdout).toContain("alpha: feb-2026 to 0.8.2\n  db image: supabase/postgres:15.8.1.085\n");
        for (const note of RELEASES["0.8.2"].upgradeNotes) expect(preview.stdout).toContain(`  risk: 0.8.2: ${note}`);
        expect(preview.stdout).toContain("nothing was changed");
        expect(await engine.getConfig("alpha")).toEqual(before);
        expect(await releases()).toEqual(["feb-2026", "feb-2026", "feb-2026"]);
    });

    it("upgrades the canary alone first, stops the wave at a failure, puts the failed tenant back and holds the rest", async () => {
        const { run, engine, releases } = await febTenants();
        engine.failNext("bravo", "update", "pulling supabase/rest:v14.1 failed");
        const upgraded = await run(["upgrade", "--all", "--release", "0.8.2", "--canary", "1", "--parallel", "1"]);
        expect(upgraded.code).toBe(1);
        expect(upgraded.stdout).toContain("wave 1 of 2 (canary): alpha to 0.8.2");
        expect(upgraded.stdout).toContain("wave 2 of 2: bravo, charlie to 0.8.2");
        expect(upgraded.stdout).toContain("upgrade to 0.8.2 failed (pulling supabase/rest:v14.1 failed); rolled back: it runs feb-2026 again");
        expect(upgraded.stdout).toContain("not started: the upgrade of bravo failed first; charlie stays on its release");
        expect(await releases()).toEqual(["0.8.2", "feb-2026", "feb-2026"]);
        // The rollback was an update of its own, on the old release.
        expect(engine.calls.filter((call) => call === "update bravo")).toHaveLength(3); // sync --up, the failed upgrade, the rollback

        const rest = await run(["upgrade", "--all", "--release", "0.8.2"]);
        expect(rest.code, rest.stdout).toBe(0);
        expect(rest.stdout).toContain("already on 0.8.2: alpha");
        expect(await releases()).toEqual(["0.8.2", "0.8.2", "0.8.2"]);
    });

    it("a failed canary holds every other tenant, and a failed rollback says so with what to run", async () => {
        const { run, engine, releases } = await febTenants();
        engine.failNext("alpha", "update", "db never became healthy", 2);
        const upgraded = await run(["upgrade", "--all", "--release", "0.8.2", "--canary", "1"]);
        expect(upgraded.code).toBe(1);
        expect(upgraded.stdout).toContain("putting it back on feb-2026 failed too (db never became healthy): fleet status alpha, then fleet up alpha");
        expect(upgraded.stdout).toContain("not upgraded (the upgrade of alpha failed): bravo, charlie stay on feb-2026");
        expect(upgraded.stdout).not.toContain("wave 2 of 2");
        expect(await releases()).toEqual(["feb-2026", "feb-2026", "feb-2026"]);
    });

    it("reports the outcome as JSON for CI", async () => {
        const { run } = await febTenants();
        const upgraded = await run(["upgrade", "alpha", "bravo", "--release", "0.8.2", "--json"]);
        expect(upgraded.code, upgraded.stderr).toBe(0);
        const report = JSON.parse(upgraded.stdout) as { release: string; waves: string[][]; notStarted: string[]; results: { ref: string; outcome: string }[] };
        expect(report).toMatchObject({ release: "0.8.2", waves: [["alpha", "bravo"]], notStarted: [] });
        expect(report.results.map((result) => [result.ref, result.outcome])).toEqual([["alpha", "succeeded"], ["bravo", "succeeded"]]);
    });
});

describe("upgrade plan", () => {
    const item = (ref: string) => ({ ref }) as UpgradeItem;

    it("splits the canary off as a wave of its own", () => {
        const items = ["a", "b", "c"].map(item);
        expect(upgradeWaves(items, undefined).map((wave) => wave.map((entry) => entry.ref))).toEqual([["a", "b", "c"]]);
        expect(upgradeWaves(items, 2).map((wave) => wave.map((entry) => entry.ref))).toEqual([["a", "b"], ["c"]]);
        expect(upgradeWaves(items, 5).map((wave) => wave.map((entry) => entry.ref))).toEqual([["a", "b", "c"]]);
        expect(upgradeWaves([], 1)).toEqual([]);
    });

    it("lists the notes of every release moved into, and says a move back loses what came later", () => {
        expect(upgradeNotes("feb-2026", "0.8.2")).toEqual(RELEASES["0.8.2"].upgradeNotes.map((note) => `0.8.2: ${note}`));
        expect(upgradeNotes("0.8.2", "feb-2026")).toEqual(["feb-2026 is older than 0.8.2: what later releases added goes away (docs/releases.md), every container is replaced"]);
    });
});
