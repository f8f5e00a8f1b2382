import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BackupFolder, BackupNotFoundError, backupId } from "../../stacks/backup/folder.js";
import { commitBackup } from "./commitBackup.js";

let root = "";
beforeEach(() => {
    root = join(mkdtempSync(join(tmpdir(), "backup-folder-")), "backups");
});
afterEach(() => rmSync(join(root, ".."), { recursive: true, force: true }));

/** A committed backup of `ref` taken at `at`, with one file of `content`. */
async function backupAt(folder: BackupFolder, ref: string, at: string, content = "dump"): Promise<string> {
    return (await commitBackup(folder, ref, at, { "globals.sql": content })).id;
}

describe("the backup folder", () => {
    it("names backups by UTC second, sortable, and never reuses a name within a second", async () => {
        expect(backupId(new Date("2026-12-03T23:40:12.345Z"))).toBe("20261203T234012Z");
        const folder = new BackupFolder(root);
        const first = await backupAt(folder, "acme", "2026-12-03T23:40:12.100Z");
        const second = await backupAt(folder, "acme", "2026-12-03T23:40:12.900Z");
        expect([first, second]).toEqual(["20261203T234012Z", "20261203T234012Z-2"]);
        expect(folder.list("acme").map((entry) => entry.id)).toEqual([second, first]);
    });

    it("keeps folders 0700 and lists only complete backups of the asked tenant", async () => {
        const folder = new BackupFolder(root);
        mkdirSync(root, { mode: 0o755 });
        const id = await backupAt(folder, "acme", "2026-12-01T00:00:00Z");
        folder.begin("acme", new Date("2026-12-02T00:00:00Z")); // a backup in progress: not listed
        await backupAt(folder, "beta", "2026-12-01T00:00:00Z");
        for (const dir of [root, join(root, "acme"), join(root, "acme", id)]) expect(statSync(dir).mode & 0o777).toBe(0o700);
        expect(folder.list("acme").map((entry) => entry.id)).toEqual([id]);
        expect(folder.find("acme", "latest").id).toBe(id);
        expect(() => folder.find("acme", "20200101T000000Z")).toThrow(BackupNotFoundError);
        expect(() => folder.find("nobody", "latest")).toThrow(/no complete backup of nobody/);
    });

    it("verify names a file whose bytes changed after the backup, and one that went missing", async () => {
        const folder = new BackupFolder(root);
        await backupAt(folder, "acme", "2026-12-01T00:00:00Z", "original");
        const entry = folder.find("acme", "latest");
        expect(await folder.verify(entry)).toEqual([]);
        writeFileSync(join(entry.dir, "globals.sql"), "ORIGINAL");
        expect(await folder.verify(entry)).toEqual(["globals.sql does not match its SHA-256 in the manifest"]);
        writeFileSync(join(entry.dir, "globals.sql"), "short");
        expect(await folder.verify(entry)).toEqual(["globals.sql has 5 bytes, the manifest says 8"]);
        rmSync(join(entry.dir, "globals.sql"));
        expect(await folder.verify(entry)).toEqual(["globals.sql is missing"]);
    });

    it("retention removes backups beyond the count and past the age, keeps the newest always, and clears abandoned partials", async () => {
        const folder = new BackupFolder(root);
        const ids = [];
        for (const day of ["01", "02", "03", "04"]) ids.push(await backupAt(folder, "acme", `2026-11-${day}T00:00:00Z`));
        const now = new Date("2026-11-04T12:00:00Z");
        expect(folder.applyRetention("acme", { keep: 3 }, now)).toEqual([ids[0]]);
        expect(folder.applyRetention("acme", { maxAgeDays: 2 }, now)).toEqual([ids[1]]);
        // Every backup is past the age limit here: the newest stays anyway.
        expect(folder.applyRetention("acme", { maxAgeDays: 1 }, new Date("2027-01-01T00:00:00Z"))).toEqual([ids[2]]);
        expect(folder.list("acme").map((entry) => entry.id)).toEqual([ids[3]]);

        const partial = folder.begin("acme", new Date("2026-11-05T00:00:00Z")).dir;
        const old = new Date("2026-11-01T00:00:00Z");
        utimesSync(partial, old, old);
        folder.applyRetention("acme", {}, new Date("2026-11-05T00:00:00Z"));
        expect(readdirSync(join(root, "acme"))).toEqual([ids[3]]);
    });
});
