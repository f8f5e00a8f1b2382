/**
 * One tenant's backup: the cluster's roles, every database it holds, and every data volume other
 * than the database's own (storage objects, edge functions, the pgsodium root key, Studio snippets).
 * Dumps run inside the tenant's db container and stream straight to files, hashed on the way.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { Transform, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DATA_VOLUMES } from "../../components/services/types.js";
import { volumeName } from "../../components/names.js";
import type { ServiceContainer, TenantDockerHost } from "../docker/types.js";
import { DB_SERVICE, TenantDb } from "./dbCommands.js";
import { PRIVATE_FILE_MODE, type BackupEntry, type BackupFolder } from "./folder.js";
import { MANIFEST_FORMAT, type BackupFile, type BackupManifest } from "./manifest.js";

/** The database's own volume: it is backed up logically (pg_dump), never as files of a live cluster. */
export const DATABASE_VOLUME = "db-data";

export interface BackupRequest {
    readonly host: TenantDockerHost;
    readonly ref: string;
    readonly release: string;
    readonly folder: BackupFolder;
    readonly now?: () => Date;
    readonly onProgress?: (step: string) => void;
}

export async function takeBackup(request: BackupRequest): Promise<BackupEntry> {
    const { host, ref, folder } = request;
    const now = request.now ?? (() => new Date());
    const started = now();
    const containers = await host.containers(ref);
    const db = containers.find((container) => container.service === DB_SERVICE);
    if (!db) throw new Error(`${ref} has no db container on its Docker host: deploy it (fleet up ${ref}) before backing it up`);
    if (db.state === "stopped" || db.state === "missing") throw new Error(`${ref}'s db container is not running (paused?): fleet resume ${ref}, then back it up`);

    const tenantDb = new TenantDb(host, ref);
    const { id, dir } = folder.begin(ref, started);
    try {
        // One query for both facts: every exec costs a round trip to the daemon.
        const [postgresVersion, ...databases] = await tenantDb.query(
            "SHOW server_version; SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname;",
            "postgres",
            "reading the server version and the databases",
        );
        // The dumps work in the db container, the archives in the other containers: they run side by side.
        const dumping = (async () => {
            request.onProgress?.("roles");
            const dumps: BackupFile[] = [{ kind: "globals", ...(await writeHashed(dir, "globals.sql", (out) => tenantDb.dumpGlobals(out))) }];
            for (const [index, database] of databases.entries()) {
                request.onProgress?.(`database ${database}`);
                dumps.push({ kind: "database", database, ...(await writeHashed(dir, `db-${index + 1}-${fileSafe(database)}.dump`, (out) => tenantDb.dumpDatabase(database, out))) });
            }
            return dumps;
        })();
        const archiving = (async () => {
            const archives: BackupFile[] = [];
            for (const volume of DATA_VOLUMES.filter((name) => name !== DATABASE_VOLUME)) {
                const mount = mountOf(containers, volumeName(ref, volume));
                if (!mount) continue; // a volume no container mounts (for example Studio's, when Studio is off)
                request.onProgress?.(`volume ${volume}`);
                const archive = await host.readArchive(ref, mount.service, mount.path);
                archives.push({ kind: "volume", volume, service: mount.service, path: mount.path, ...(await writeHashed(dir, `volume-${volume}.tar`, (out) => pipeline(archive, out))) });
            }
            return archives;
        })();
        // allSettled: on a failure, nothing may still be writing into the folder when it is abandoned.
        const [dumped, archived] = await Promise.allSettled([dumping, archiving]);
        if (dumped.status === "rejected") throw dumped.reason;
        if (archived.status === "rejected") throw archived.reason;
        const files = [...dumped.value, ...archived.value];
        const manifest: BackupManifest = {
            format: MANIFEST_FORMAT,
            ref,
            id,
            createdAt: started.toISOString(),
            release: request.release,
            dbImage: db.image,
            postgresVersion: postgresVersion ?? "unknown",
            durationMs: Math.max(0, now().getTime() - started.getTime()),
            files,
        };
        return folder.commit(ref, dir, manifest);
    } catch (error) {
        folder.abandon(dir);
        throw error;
    }
}

/** The first container that mounts a Docker volume, and where. */
export function mountOf(containers: readonly ServiceContainer[], dockerVolume: string): { service: string; path: string } | undefined {
    for (const container of containers) {
        const mount = container.volumeMounts.find((candidate) => candidate.volume === dockerVolume);
        if (mount) return { service: container.service, path: mount.path };
    }
    return undefined;
}

/** Writes what `produce` streams into `dir/name` (0600), with its size and SHA-256. */
async function writeHashed(dir: string, name: string, produce: (out: Writable) => Promise<void>): Promise<{ name: string; bytes: number; sha256: string }> {
    const hash = createHash("sha256");
    let bytes = 0;
    const hasher = new Transform({
        transform(chunk: Buffer, _encoding, done) {
            hash.update(chunk);
            bytes += chunk.length;
            done(null, chunk);
        },
    });
    const file = createWriteStream(join(dir, name), { mode: PRIVATE_FILE_MODE });
    await Promise.all([produce(hasher), pipeline(hasher, file)]);
    return { name, bytes, sha256: hash.digest("hex") };
}

/** A database name as part of a file name (the manifest keeps the real name). */
function fileSafe(database: string): string {
    return database.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[._-]+/, "") || "db";
}
