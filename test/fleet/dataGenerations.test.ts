/**
 * `fleet upgrade-db`: refused before anything changes (paused, an override, a kept volume, a release
 * without a newer Postgres, extensions 17 lacks, too little disk, a new volume already on the host); otherwise backup, a new data
 * generation, restore; a failure goes back to the old generation; --rollback and --confirm swap and
 * remove the kept one; restore --in-place takes the same path with a backup of the operator's choice.
 * The memory engine deploys nothing: the db's answers are played.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliHarness, threeTenantRegistry as registry } from "./helpers.js";

const SOCKET = "unix:///var/run/docker.sock";

/** Tenants on 0.8.2 with Postgres 15 data (moved from feb-2026), and a db that answers as told. */
async function pg15Tenants(db: { extensions?: string[]; usedKib?: number; freeKib?: number } = {}) {
    const harness = cliHarness(registry("  release: feb-2026\n"), { resourceCount: 2 });
    expect((await harness.run(["sync", "--up"])).code).toBe(0);
    writeFileSync(join(harness.cwd, "fleet.yaml"), registry());
    expect((await harness.run(["upgrade", "--all", "--release", "0.8.2"])).code).toBe(0);
    harness.docker.get(SOCKET).execHandler = (_ref, _service, command, stdin) => {
        if (command.command[0] === "sh") return { exitCode: 0, stderr: "", stdout: `${db.usedKib ?? 1024}\n${db.freeKib ?? 64 * 1024 * 1024}\n` };
        if (stdin.includes("pg_extension")) return { exitCode: 0, stderr: "", stdout: [...(db.extensions ?? []).map((name) => `ext ${name}`), "dir /var/lib/postgresql/data", ""].join("\n") };
        if (stdin.includes("SHOW server_version")) return { exitCode: 0, stderr: "", stdout: "15.8\npostgres\n" };
        return { exitCode: 0, stderr: "", stdout: "" };
    };
    const data = async (ref: string) => {
        const config = await harness.engine.getConfig(ref);
        return [config.dbDataGeneration ?? "1", config.dbDataPostgresMajor, config.dbDataKeptGeneration];
    };
    return { ...harness, data };
}

describe("fleet upgrade-db", () => {
    it("--preview shows the volumes and the image and changes nothing", async () => {
        const { run, data } = await pg15Tenants();
        const preview = await run(["upgrade-db", "alpha", "--preview"]);
        expect(preview.code, preview.stderr).toBe(0);
        expect(preview.stdout).toContain("alpha: Postgres 15 on alpha-db-data to Postgres 17 on alpha-db-data-g2 (supabase/postgres:17.6.1.136)");
        expect(preview.stdout).toContain("nothing was changed");
        expect(await data("alpha")).toEqual(["1", "15", undefined]);
    });

    it("refuses extensions Postgres 17 lacks and too little disk, each in one line, with nothing changed", async () => {
        const { run, data } = await pg15Tenants({ extensions: ["plv8"], usedKib: 4 * 1024 * 1024, freeKib: 10 * 1024 * 1024 });
        const refused = await run(["upgrade-db", "alpha"]);
        expect(refused.code).toBe(2);
        expect(refused.stdout).toContain("  refused: extensions plv8 do not exist on Postgres 17: drop them first (DROP EXTENSION … CASCADE, once nothing needs them)");
        expect(refused.stdout).toContain("  refused: 10.0 GiB free beside 4.0 GiB of data: the upgrade wants at least 13.0 GiB (twice the data and 5 GiB)");
        expect(await data("alpha")).toEqual(["1", "15", undefined]);
    });

    it("refuses a new generation whose volume is already on the host (left by an earlier try), in upgrade-db and restore --in-place, with nothing changed", async () => {
        const { run, data, docker, cwd } = await pg15Tenants();
        const dir = join(cwd, "backups");
        expect((await run(["backup", "alpha", "--dir", dir])).code).toBe(0);
        docker.get(SOCKET).strayVolumes.add("alpha-db-data-g2");
        const line = "volume alpha-db-data-g2 is already on alpha's host, and the new generation must start empty: back it up or remove it (docker volume rm alpha-db-data-g2), then run this again";
        const preview = await run(["upgrade-db", "alpha", "--preview"]);
        expect(preview.code).toBe(2);
        expect(preview.stdout).toContain(`  refused: ${line}`);
        expect((await run(["upgrade-db", "alpha", "--dir", dir])).stdout).toContain(`  refused: ${line}`);
        expect((await run(["restore", "alpha", "--from", "latest", "--in-place", "--dir", dir])).stderr).toBe(`fleet: ${line}\n`);
        expect(await data("alpha")).toEqual(["1", "15", undefined]);
        docker.get(SOCKET).strayVolumes.delete("alpha-db-data-g2");
        expect((await run(["upgrade-db", "alpha", "--preview"])).code).toBe(0);
    });

    it("refuses a paused tenant, a dbImage override, a registry that states the data major, and a release without a newer Postgres", async () => {
        const { run, cwd, engine } = await pg15Tenants();
        const paused = await run(["pause", "bravo"]);
        expect(paused.code, paused.stderr).toBe(0);
        expect((await run(["upgrade-db", "bravo"])).stderr).toBe("fleet: bravo is paused: the upgrade backs up the running database first; fleet resume bravo\n");
        writeFileSync(join(cwd, "fleet.yaml"), registry().replace("  - ref: alpha\n", "  - ref: alpha\n    dbDataPostgresMajor: 15\n"));
        expect((await run(["upgrade-db", "alpha"])).stderr).toBe("fleet: fleet.yaml states dbDataPostgresMajor for alpha: remove it there (the stack records it), then run fleet upgrade-db\n");
        writeFileSync(join(cwd, "fleet.yaml"), registry());
        await engine.setConfig("alpha", { dbImage: "supabase/postgres:15.8.1.085" }, []);
        expect((await run(["upgrade-db", "alpha"])).stderr).toBe("fleet: alpha sets dbImage (supabase/postgres:15.8.1.085): the upgrade runs its release's db image; remove the override first\n");
        const febOnly = cliHarness(registry("  release: feb-2026\n"), { resourceCount: 2 });
        expect((await febOnly.run(["sync", "--up"])).code).toBe(0);
        expect((await febOnly.run(["upgrade-db", "alpha"])).stderr).toBe("fleet: alpha's data is on Postgres 15, the newest its release feb-2026 runs; a newer release first (fleet upgrade alpha --release <name>)\n");
    });

    it("backs up, moves to a new generation on Postgres 17 keeping the old one, then --rollback swaps and --confirm removes the kept volume", async () => {
        const { run, data, docker, engine, cwd } = await pg15Tenants();
        const upgraded = await run(["upgrade-db", "alpha", "--dir", join(cwd, "backups")]);
        expect(upgraded.code, `${upgraded.stdout}${upgraded.stderr}`).toBe(0);
        expect(upgraded.stdout).toContain("Postgres 15 to Postgres 17");
        expect(upgraded.stdout).toContain("alpha-db-data is kept until --confirm");
        expect(await data("alpha")).toEqual(["2", "17", "1:15"]);
        expect((JSON.parse((await run(["backups", "alpha", "--dir", join(cwd, "backups"), "--json"])).stdout) as { release: string }[]).map((backup) => backup.release)).toEqual(["0.8.2"]);
        // Another upgrade waits for the kept volume to be dealt with.
        expect((await run(["upgrade-db", "alpha"])).stderr).toBe("fleet: alpha still keeps its data volume alpha-db-data (Postgres 15) from the last upgrade or restore: fleet upgrade-db alpha --confirm removes it, --rollback goes back to it\n");
        // fleet sync leaves the stack's record alone.
        expect((await run(["sync"])).code).toBe(0);
        expect(await data("alpha")).toEqual(["2", "17", "1:15"]);

        expect((await run(["upgrade-db", "alpha", "--rollback"])).code).toBe(0);
        expect(await data("alpha")).toEqual(["1", "15", "2:17"]);
        const confirmed = await run(["upgrade-db", "alpha", "--confirm"]);
        expect(confirmed.code, confirmed.stderr).toBe(0);
        expect(confirmed.stdout).toContain("removed alpha-db-data-g2");
        expect(await data("alpha")).toEqual(["1", "15", undefined]);
        expect(docker.get(SOCKET).removedVolumes).toEqual(["alpha alpha-db-data-g2"]);
        expect(engine.calls.filter((call) => call === "update alpha").length).toBeGreaterThanOrEqual(4);
        expect((await run(["upgrade-db", "alpha", "--confirm"])).stderr).toBe("fleet: alpha keeps no other data volume: there is nothing to confirm (fleet upgrade-db alpha upgrades its data)\n");
    });

    it("a failed deployment of the new generation puts the tenant back on its old one and keeps the new", async () => {
        const { run, data, engine, cwd } = await pg15Tenants();
        engine.failNext("alpha", "update", "db never became healthy");
        const failed = await run(["upgrade-db", "alpha", "--dir", join(cwd, "backups")]);
        expect(failed.code).toBe(1);
        expect(failed.stdout).toContain("writing alpha's data into alpha-db-data-g2 failed (db never became healthy); rolled back: it runs Postgres 15 on alpha-db-data again");
        expect(failed.stdout).toContain("alpha-db-data-g2 is kept until fleet upgrade-db alpha --confirm");
        expect(await data("alpha")).toEqual(["1", "15", "2:17"]);
    });

    it("takes one of --preview, --rollback, --confirm", async () => {
        const { run } = await pg15Tenants();
        expect(await run(["upgrade-db", "alpha", "--rollback", "--confirm"])).toMatchObject({ code: 2, stderr: "fleet: fleet upgrade-db takes one of --preview, --rollback, --confirm\n" });
    });

    it("restore --in-place puts a backup of the tenant's release into a new volume of the same major and keeps the current one", async () => {
        const { run, data, cwd } = await pg15Tenants();
        const dir = join(cwd, "backups");
        expect((await run(["backup", "alpha", "--dir", dir])).code).toBe(0);
        expect(await run(["restore", "alpha", "--from", "latest", "--in-place", "--into", "alpha2", "--dir", dir])).toMatchObject({ code: 2, stderr: "fleet: fleet restore --in-place restores over the tenant itself: no --into or --host\n" });
        const restored = await run(["restore", "alpha", "--from", "latest", "--in-place", "--dir", dir]);
        expect(restored.code, `${restored.stdout}${restored.stderr}`).toBe(0);
        expect(restored.stdout).toContain("alpha-db-data is kept until fleet upgrade-db alpha --confirm (--rollback goes back to it)");
        expect(await data("alpha")).toEqual(["2", "15", "1:15"]);
        // A second one waits for the kept volume to be dealt with.
        expect((await run(["restore", "alpha", "--from", "latest", "--in-place", "--dir", dir])).stderr).toContain("fleet: alpha still keeps its data volume alpha-db-data (Postgres 15)");
        expect((await run(["upgrade-db", "alpha", "--confirm"])).code).toBe(0);
        expect(await data("alpha")).toEqual(["2", "15", undefined]);
    });

    it("restore --in-place refuses a paused tenant and a backup of another release", async () => {
        const { run, cwd } = await pg15Tenants();
        const dir = join(cwd, "backups");
        expect((await run(["backup", "bravo", "--dir", dir])).code).toBe(0);
        expect((await run(["pause", "bravo"])).code).toBe(0);
        expect((await run(["restore", "bravo", "--from", "latest", "--in-place", "--dir", dir])).stderr).toBe("fleet: bravo is paused: an in-place restore deploys the tenant; fleet resume bravo first\n");
        expect((await run(["upgrade", "charlie", "--release", "feb-2026"])).code).toBe(0);
        expect((await run(["backup", "charlie", "--dir", dir])).code).toBe(0);
        expect((await run(["upgrade", "charlie", "--release", "0.8.2"])).code).toBe(0);
        expect((await run(["restore", "charlie", "--from", "latest", "--in-place", "--dir", dir])).stderr).toMatch(/^fleet: backup \S+ is of release feb-2026, charlie runs 0\.8\.2: restore it into a new tenant/);
    });
});
