/**
 * takeBackup against the memory Docker host: which commands run in the db container, which volumes
 * are archived, what the manifest records, and that a failure part-way leaves no backup behind.
 * The real pg_dump and Docker archives are exercised by test/e2e/backup.test.ts.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { volumeName } from "../../components/names.js";
import { BackupFolder } from "../../stacks/backup/folder.js";
import { takeBackup } from "../../stacks/backup/takeBackup.js";
import type { ServiceCommand } from "../../stacks/docker/types.js";
import { MemoryDockerHost } from "../fleet/doubles/memoryDockerHost.js";

const REF = "alpha";
const STORAGE_PATH = "/var/lib/storage";
const STORAGE_TAR = Buffer.from("a tar stream of the storage volume");

let root = "";
let host: MemoryDockerHost;
let commands: string[];
let failing: { command: string; stderr: string } | undefined;

/** Plays a db container: answers the version-and-databases query, and dumps whose content names what was dumped. */
function playDb(_ref: string, service: string, command: ServiceCommand, stdin: string) {
    const line = command.command.join(" ");
    commands.push(`${service}: ${line}`);
    if (failing && line.includes(failing.command)) return { exitCode: 1, stderr: failing.stderr };
    if (command.command[0] === "psql" && stdin.includes("SHOW server_version") && stdin.includes("FROM pg_database")) return { exitCode: 0, stderr: "", stdout: "15.8\n_supabase\npostgres\n" };
    if (command.command[0] === "pg_dumpall") return { exitCode: 0, stderr: "", stdout: "CREATE ROLE anon;\n" };
    if (command.command[0] === "pg_dump") return { exitCode: 0, stderr: "", stdout: `custom dump of ${command.command[command.command.indexOf("-d") + 1]}` };
    return { exitCode: 127, stderr: `unexpected command ${line}` };
}

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "take-backup-"));
    host = new MemoryDockerHost("unix:///var/run/docker.sock");
    host.setStates(REF, { db: "healthy", storage: "healthy", functions: "healthy" });
    // Storage's volume is mounted; the functions volume is not (nothing to archive for it here).
    host.mounts.set(`${REF} storage`, [{ volume: volumeName(REF, "storage"), path: STORAGE_PATH }]);
    host.archives.set(`${REF} storage ${STORAGE_PATH}`, STORAGE_TAR);
    host.execHandler = playDb;
    commands = [];
    failing = undefined;
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("takeBackup", () => {
    it("dumps the roles and every database inside the db container and archives each mounted data volume, with checksums", async () => {
        const folder = new BackupFolder(root);
        const entry = await takeBackup({ host, ref: REF, release: "feb-2026", folder, now: () => new Date("2026-12-04T01:02:03Z") });

        expect(entry.id).toBe("20261204T010203Z");
        expect(commands.every((command) => command.startsWith("db: "))).toBe(true);
        expect(commands.filter((command) => /pg_dump(all)? /.test(command))).toEqual([
            "db: pg_dumpall -h 127.0.0.1 -U supabase_admin --globals-only",
            "db: pg_dump -h 127.0.0.1 -U supabase_admin -d _supabase --format=custom",
            "db: pg_dump -h 127.0.0.1 -U supabase_admin -d postgres --format=custom",
        ]);
        // No password on any command line: the container's own PGPASSWORD is used.
        expect(commands.join("\n")).not.toMatch(/PGPASSWORD|password/i);

        const { manifest } = entry;
        expect(manifest).toMatchObject({ ref: REF, release: "feb-2026", postgresVersion: "15.8", dbImage: "memory/db:test" });
        expect(manifest.files.map((file) => [file.kind, file.name])).toEqual([
            ["globals", "globals.sql"],
            ["database", "db-1-supabase.dump"],
            ["database", "db-2-postgres.dump"],
            ["volume", "volume-storage.tar"],
        ]);
        expect(manifest.files.find((file) => file.kind === "volume")).toMatchObject({ volume: "storage", service: "storage", path: STORAGE_PATH });
        for (const file of manifest.files) {
            const content = readFileSync(join(entry.dir, file.name));
            expect({ name: file.name, bytes: file.bytes, sha256: file.sha256 }).toEqual({ name: file.name, bytes: content.length, sha256: sha256(content) });
            expect(statSync(join(entry.dir, file.name)).mode & 0o777).toBe(0o600);
        }
        expect(readFileSync(join(entry.dir, "volume-storage.tar"))).toEqual(STORAGE_TAR);
        expect(folder.list(REF).map((listed) => listed.id)).toEqual([entry.id]);
    });

    it("a dump that fails part-way leaves no backup and no partial folder, and says which dump failed", async () => {
        failing = { command: "pg_dump -h 127.0.0.1 -U supabase_admin -d postgres", stderr: "pg_dump: error: could not write: No space left on device" };
        const folder = new BackupFolder(root);
        await expect(takeBackup({ host, ref: REF, release: "feb-2026", folder })).rejects.toThrow(
            "pg_dump of postgres failed in the db container (exit 1): pg_dump: error: could not write: No space left on device",
        );
        expect(folder.list(REF)).toEqual([]);
        expect(readdirSync(join(root, REF))).toEqual([]);
    });

    it("refuses a tenant whose db is not running, and one with no db container, before writing anything", async () => {
        const folder = new BackupFolder(root);
        host.setStates(REF, { db: "stopped" });
        await expect(takeBackup({ host, ref: REF, release: "feb-2026", folder })).rejects.toThrow(`${REF}'s db container is not running (paused?): fleet resume ${REF}, then back it up`);
        host.setStates(REF, {});
        await expect(takeBackup({ host, ref: REF, release: "feb-2026", folder })).rejects.toThrow(`${REF} has no db container on its Docker host`);
        expect(commands).toEqual([]);
        expect(folder.list(REF)).toEqual([]);
    });
});
