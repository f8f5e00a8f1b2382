/**
 * The S3 backup target against a real S3-compatible server (the Versity S3 Gateway, which checks
 * SigV4 signatures and payload hashes): a backup goes up file by file with its manifest last, is
 * listed and found, comes back byte for byte into a private folder, large files go up in parts, a
 * changed object is caught by the manifest's sums, retention removes old and abandoned backups, and
 * every failure is one line that names the problem and never a credential.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseS3Url, S3Error, s3SettingsFromEnv, S3UsageError } from "../../stacks/backup/s3Client.js";
import { FolderBackupStore, S3BackupStore } from "../../stacks/backup/store.js";
import { backupStoreFrom } from "../../stacks/fleet/cli/backupArgs.js";
import { freePort } from "../support/freePort.js";
import { commitBackup } from "./commitBackup.js";
import { s3ServerMissing, startS3Server, type S3TestServer } from "../support/s3/server.js";

const missing = s3ServerMissing();

describe("S3 target settings", () => {
    it("parse s3://bucket/prefix and refuse what is not one, naming the setting", () => {
        expect(parseS3Url("s3://fleet-backups", "--s3")).toEqual({ bucket: "fleet-backups", prefix: "" });
        expect(parseS3Url("s3://fleet-backups/prod/eu/", "--s3")).toEqual({ bucket: "fleet-backups", prefix: "prod/eu/" });
        for (const bad of ["fleet-backups", "https://fleet-backups/x", "s3://Fleet_Backups", "s3://ab", "s3://fleet-backups/a/../b", "s3://fleet-backups/a//b", "s3://fleet-backups/a b"]) {
            expect(() => parseS3Url(bad, "--s3"), bad).toThrow(S3UsageError);
            expect(() => parseS3Url(bad, "--s3"), bad).toThrow(/^--s3: /);
        }
    });

    it("read the standard AWS variables, and name the missing or malformed one without echoing a value", () => {
        expect(s3SettingsFromEnv({ AWS_ACCESS_KEY_ID: "AK", AWS_SECRET_ACCESS_KEY: "sk", AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9000/" })).toEqual({
            region: "us-east-1",
            endpoint: "http://127.0.0.1:9000",
            credentials: { accessKeyId: "AK", secretAccessKey: "sk" },
        });
        expect(() => s3SettingsFromEnv({ AWS_ACCESS_KEY_ID: "AK" })).toThrow("an S3 backup target needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment");
        const withCredentials = { AWS_ACCESS_KEY_ID: "AK", AWS_SECRET_ACCESS_KEY: "sk" };
        expect(() => s3SettingsFromEnv({ ...withCredentials, AWS_ENDPOINT_URL_S3: "http://user:hunter2@s3.example.com" })).toThrow(/^AWS_ENDPOINT_URL_S3: must be an http\(s\) URL without credentials/);
        expect(() => s3SettingsFromEnv({ ...withCredentials, AWS_ENDPOINT_URL_S3: "http://user:hunter2@s3.example.com" })).not.toThrow(/hunter2/);
        expect(() => s3SettingsFromEnv({ ...withCredentials, AWS_REGION: "eu central" })).toThrow(/^AWS_REGION: /);
    });

    it("pick the target: --s3, --dir, then $FLEET_BACKUP_S3, $FLEET_BACKUP_DIR, ./backups", () => {
        const env = { AWS_ACCESS_KEY_ID: "AK", AWS_SECRET_ACCESS_KEY: "sk", FLEET_BACKUP_S3: "s3://from-env/p", FLEET_BACKUP_DIR: "/srv/backups" };
        expect(backupStoreFrom({ s3: "s3://given/x" }, env, "/work").location).toBe("s3://given/x");
        expect(backupStoreFrom({ dir: "local" }, env, "/work").location).toBe("/work/local");
        expect(backupStoreFrom({}, env, "/work").location).toBe("s3://from-env/p");
        expect(backupStoreFrom({}, { FLEET_BACKUP_DIR: "/srv/backups" }, "/work")).toBeInstanceOf(FolderBackupStore);
        expect(backupStoreFrom({}, {}, "/work").location).toBe("/work/backups");
        expect(() => backupStoreFrom({ dir: "a", s3: "s3://b/c" }, env, "/work")).toThrow("--dir and --s3 name two backup targets: give one");
        // A workflow sets variables nobody defined to "": they count as unset, never as "this folder".
        const unsetInCi = { FLEET_BACKUP_S3: "", FLEET_BACKUP_DIR: "", AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_REGION: "", AWS_ENDPOINT_URL_S3: "" };
        expect(backupStoreFrom({}, unsetInCi, "/work").location).toBe("/work/backups");
        expect(backupStoreFrom({}, { ...unsetInCi, FLEET_BACKUP_S3: "s3://bucket-a", AWS_ACCESS_KEY_ID: "AK", AWS_SECRET_ACCESS_KEY: "sk" }, "/work").location).toBe("s3://bucket-a");
        expect(() => backupStoreFrom({ dir: "" }, {}, "/work")).toThrow("--dir: must name a folder");
    });
});

describe.skipIf(missing !== undefined)(`the S3 backup target on a real S3-compatible server${missing ? ` (skipped: ${missing})` : ""}`, () => {
    let server: S3TestServer;
    let store: S3BackupStore;
    beforeAll(async () => {
        server = await startS3Server();
        store = new S3BackupStore(parseS3Url(`s3://${server.bucket}/prod`, "--s3"), s3SettingsFromEnv(server.env));
    });
    afterAll(() => server?.stop());

    it("uploads a backup with its manifest last, lists and finds it, and downloads it byte for byte into a private folder", async () => {
        let staging = "";
        const tarball = randomBytes(300_000);
        const saved = await store.save("acme", async (folder) => {
            staging = folder.root;
            return commitBackup(folder, "acme", "2026-12-01T02:00:00Z", { "volume-storage.tar": tarball, "empty.tar": "" });
        });
        expect(saved.dir).toBe(`s3://${server.bucket}/prod/acme/${saved.id}`);
        expect(existsSync(staging)).toBe(false);
        // The server's own files: the objects are where the layout says.
        expect(readdirSync(join(server.root, server.bucket, "prod", "acme", saved.id)).sort()).toEqual(["empty.tar", "manifest.json", "volume-storage.tar"]);

        expect((await store.list("acme")).map((entry) => entry.id)).toEqual([saved.id]);
        expect((await store.find("acme", "latest")).manifest).toEqual(saved.manifest);
        await expect(store.find("acme", "20200101T000000Z")).rejects.toThrow(`no backup 20200101T000000Z of acme in s3://${server.bucket}/prod; the newest is ${saved.id}`);
        await expect(store.find("globex", "latest")).rejects.toThrow(`no complete backup of globex in s3://${server.bucket}/prod`);

        const opened = await store.open(await store.find("acme", saved.id));
        try {
            expect(await opened.folder.verify(opened.entry)).toEqual([]);
            expect(readFileSync(join(opened.entry.dir, "volume-storage.tar")).equals(tarball)).toBe(true);
            expect(statSync(join(opened.entry.dir, "volume-storage.tar")).mode & 0o777).toBe(0o600);
            expect(statSync(opened.folder.root).mode & 0o777).toBe(0o700);
        } finally {
            opened.release();
        }
        expect(existsSync(opened.folder.root)).toBe(false);
    });

    it("sends a file larger than a part as a multipart upload that the server assembles", async () => {
        const parted = new S3BackupStore(parseS3Url(`s3://${server.bucket}/parted`, "--s3"), { ...s3SettingsFromEnv(server.env), partBytes: 5 * 1024 * 1024 });
        const big = randomBytes(11 * 1024 * 1024 + 17);
        const saved = await parted.save("acme", (folder) => commitBackup(folder, "acme", "2026-12-01T03:00:00Z", { "db-1-postgres.dump": big }));
        expect(readFileSync(join(server.root, server.bucket, "parted", "acme", saved.id, "db-1-postgres.dump")).equals(big)).toBe(true);
        const opened = await parted.open(saved);
        try {
            expect(await opened.folder.verify(opened.entry)).toEqual([]);
        } finally {
            opened.release();
        }
    });

    it("finds an object changed in the bucket through the manifest's sums", async () => {
        const saved = await store.save("initech", (folder) => commitBackup(folder, "initech", "2026-12-01T04:00:00Z", { "volume-functions.tar": "functions" }));
        writeFileSync(join(server.root, server.bucket, "prod", "initech", saved.id, "volume-functions.tar"), "FUNCTIONS");
        const opened = await store.open(saved);
        try {
            expect(await opened.folder.verify(opened.entry)).toEqual(["volume-functions.tar does not match its SHA-256 in the manifest"]);
        } finally {
            opened.release();
        }
    });

    it("applies retention by count and age, keeps the newest, and removes uploads that never got their manifest", async () => {
        const ids: string[] = [];
        for (const at of ["2026-11-01T00:00:00Z", "2026-11-20T00:00:00Z", "2026-11-30T00:00:00Z"]) ids.push((await store.save("hooli", (folder) => commitBackup(folder, "hooli", at, { "a.tar": at }))).id);
        // Uploads that died before their manifest, in the server's own folder: one long ago, one just now.
        const tenantDir = join(server.root, server.bucket, "prod", "hooli");
        for (const [id, at] of [["20261101T120000Z", new Date("2026-11-01T12:00:00Z")], ["20261130T230000Z", new Date()]] as const) {
            mkdirSync(join(tenantDir, id));
            writeFileSync(join(tenantDir, id, "a.tar"), "half");
            utimesSync(join(tenantDir, id, "a.tar"), at, at);
        }
        const now = new Date("2026-12-01T00:00:00Z");

        expect(await store.applyRetention("hooli", { maxAgeDays: 20 }, now)).toEqual([ids[0]]);
        expect((await store.list("hooli")).map((entry) => entry.id)).toEqual([ids[2], ids[1]]);
        expect(readdirSync(tenantDir).filter((name) => readdirSync(join(tenantDir, name)).length > 0).sort()).toEqual([ids[1], "20261130T230000Z", ids[2]].sort());
        expect(await store.applyRetention("hooli", { keep: 1 }, now)).toEqual([ids[1]]);
        expect((await store.list("hooli")).map((entry) => entry.id)).toEqual([ids[2]]);
        // The newest stays whatever the rules say.
        expect(await store.applyRetention("hooli", { keep: 1, maxAgeDays: 1 }, now)).toEqual([]);
        expect((await store.list("hooli")).map((entry) => entry.id)).toEqual([ids[2]]);
    });

    it("reports a wrong secret, a missing bucket and an unreachable endpoint in one line without a credential", async () => {
        const wrong = new S3BackupStore(parseS3Url(`s3://${server.bucket}`, "--s3"), s3SettingsFromEnv({ ...server.env, AWS_SECRET_ACCESS_KEY: "not-the-secret-4242" }));
        const failure = (await wrong.list("acme").then(
            () => new Error("listing with a wrong secret succeeded"),
            (error: unknown) => error as Error,
        ));
        expect(failure).toBeInstanceOf(S3Error);
        expect(failure.message).toBe(`listing acme/ in bucket ${server.bucket}: SignatureDoesNotMatch`);
        expect(failure.message).not.toContain("not-the-secret-4242");

        const noBucket = new S3BackupStore(parseS3Url("s3://no-such-bucket", "--s3"), s3SettingsFromEnv(server.env));
        await expect(noBucket.list("acme")).rejects.toThrow("listing acme/ in bucket no-such-bucket: NoSuchBucket (create the bucket first)");

        const closedPort = await freePort();
        const closed = new S3BackupStore(parseS3Url("s3://fleet-backups", "--s3"), s3SettingsFromEnv({ ...server.env, AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${closedPort}` }));
        await expect(closed.list("acme")).rejects.toThrow("listing acme/: the S3 endpoint cannot be reached (ECONNREFUSED)");
    });
});
