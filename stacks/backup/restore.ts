/**
 * Restores a backup into a deployed tenant of the same release, and proves it: every table holds
 * the rows its dump holds, and every file of every volume archive is back with the same SHA-256.
 *
 * Order: all containers stopped; volume files written (the pgsodium root key among them, so the db
 * starts with the key its Vault was encrypted with); db started alone; roles restored in one session
 * that then puts back the target tenant's own role passwords; each database dropped and created
 * from its dump; the services' own state schemas emptied and their init files run again, with the
 * target's secret settings; then every service started in order.
 */
import { createReadStream } from "node:fs";
import { posix, join } from "node:path";
import { Readable } from "node:stream";
import { DB_INIT_DIRECTORIES, SECRET_SETTINGS_FILE, SERVICE_STATE_SCHEMAS } from "../../components/files/dbInitSql.js";
import { volumeName } from "../../components/names.js";
import type { VolumeName } from "../../components/services/types.js";
import type { TenantDockerHost } from "../docker/types.js";
import { DB_SERVICE, TenantDb } from "./dbCommands.js";
import type { BackupEntry, BackupFolder } from "./folder.js";
import type { BackupFile } from "./manifest.js";
import { mountOf } from "./takeBackup.js";
import { digestDifferences, fileDigests, retarget } from "./volumeArchives.js";

export class BackupDamagedError extends Error {
    constructor(ref: string, id: string, problems: readonly string[]) {
        super(`backup ${id} of ${ref} is damaged and was not restored: ${problems.join("; ")}`);
        this.name = "BackupDamagedError";
    }
}

/** Refuses a backup whose files differ from its manifest. */
export async function verifyBackup(folder: BackupFolder, entry: BackupEntry): Promise<void> {
    const damaged = await folder.verify(entry);
    if (damaged.length > 0) throw new BackupDamagedError(entry.manifest.ref, entry.id, damaged);
}

export interface RestoreReport {
    /** Tables checked against their dumps, and those whose rows differ (one line each). */
    readonly tablesChecked: number;
    readonly rowProblems: readonly string[];
    /** Files of volume archives checked after the restore, and those missing or changed. */
    readonly filesChecked: number;
    readonly fileProblems: readonly string[];
    /** Volumes of the backup that the target has no container for, so they were not restored. */
    readonly skippedVolumes: readonly string[];
}

export interface RestoreRequest {
    readonly host: TenantDockerHost;
    /** The tenant restored into: deployed, same release as the backup. */
    readonly ref: string;
    readonly entry: BackupEntry;
    readonly folder: BackupFolder;
    /** Set when the caller checked the backup's sums already (before creating the tenant). */
    readonly verified?: boolean;
    readonly onProgress?: (step: string) => void;
}

export async function restoreBackup(request: RestoreRequest): Promise<RestoreReport> {
    const { host, ref, entry, folder } = request;
    if (!request.verified) await verifyBackup(folder, entry);
    const containers = await host.containers(ref);
    if (!containers.some((container) => container.service === DB_SERVICE)) throw new Error(`${ref} has no db container to restore into: deploy it first (fleet up ${ref})`);
    const file = (backupFile: BackupFile) => join(entry.dir, backupFile.name);
    const db = new TenantDb(host, ref);

    request.onProgress?.("stopping services");
    await host.pause(ref);
    const volumes = entry.manifest.files.filter((f): f is Extract<BackupFile, { kind: "volume" }> => f.kind === "volume");
    const skippedVolumes: string[] = [];
    const restoredVolumes: { backupFile: Extract<BackupFile, { kind: "volume" }>; service: string; path: string }[] = [];
    for (const volume of volumes) {
        const mount = mountOf(containers, volumeName(ref, volume.volume as VolumeName));
        if (!mount) {
            skippedVolumes.push(volume.volume);
            continue;
        }
        request.onProgress?.(`volume ${volume.volume}`);
        await host.writeArchive(ref, mount.service, posix.dirname(mount.path), retarget(createReadStream(file(volume)), volume.path, mount.path));
        restoredVolumes.push({ backupFile: volume, ...mount });
    }

    request.onProgress?.("starting db");
    await host.resume(ref, { services: [DB_SERVICE] });
    const globals = entry.manifest.files.find((f) => f.kind === "globals");
    if (globals) {
        request.onProgress?.("roles");
        const [targetVersion] = await db.query("SHOW server_version_num;", "template1", "reading the server version");
        const upgrade = { from: Number(entry.manifest.postgresVersion.split(".")[0]), to: Math.floor(Number(targetVersion) / 10000) };
        await db.runScript(rolesScript(file(globals), upgrade), "template1", "restoring the roles");
    }
    let tablesChecked = 0;
    const rowProblems: string[] = [];
    for (const dump of entry.manifest.files.filter((f): f is Extract<BackupFile, { kind: "database" }> => f.kind === "database")) {
        request.onProgress?.(`database ${dump.database}`);
        await db.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(dump.database)} WITH (FORCE);`, "template1", `dropping database ${dump.database}`);
        await db.restoreDatabase(createReadStream(file(dump)), dump.database);
        const expected = await db.rowsInDump(createReadStream(file(dump)), dump.database);
        const found = await countRows(db, dump.database, [...expected.keys()]);
        for (const [table, rows] of expected) {
            tablesChecked++;
            if (found.get(table) !== rows) rowProblems.push(`${dump.database}: ${table} has ${found.get(table) ?? "no"} rows, its dump ${rows}`);
        }
    }

    request.onProgress?.("service state");
    const restoredDatabases = new Set(entry.manifest.files.flatMap((f) => (f.kind === "database" ? [f.database] : [])));
    for (const state of Object.values(SERVICE_STATE_SCHEMAS)) {
        if (!restoredDatabases.has(state.database)) continue;
        await db.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(state.schema)} CASCADE;`, state.database, `emptying ${state.schema}`);
        await db.runFile(`${DB_INIT_DIRECTORIES.migrations.path}/${state.file}`, DB_INIT_DIRECTORIES.migrations.runAs);
    }
    await db.runFile(`${DB_INIT_DIRECTORIES.initScripts.path}/${SECRET_SETTINGS_FILE}`, DB_INIT_DIRECTORIES.initScripts.runAs);

    let filesChecked = 0;
    const fileProblems: string[] = [];
    for (const restored of restoredVolumes) {
        const expected = await fileDigests(createReadStream(file(restored.backupFile)), restored.backupFile.path);
        const found = await fileDigests(await host.readArchive(ref, restored.service, restored.path), restored.path);
        filesChecked += expected.size;
        fileProblems.push(...digestDifferences(expected, found).map((problem) => `${restored.backupFile.volume}: ${problem}`));
    }

    request.onProgress?.("starting services");
    await host.resume(ref);
    return { tablesChecked, rowProblems, filesChecked, fileProblems, skippedVolumes };
}

/**
 * The roles of the backup, in one session that first notes the target's own roles and passwords
 * and puts them back at the end: the target's services keep logging in with the target's secrets,
 * and roles only the backup has come back with their own password hashes.
 */
function rolesScript(globalsPath: string, majors: { from: number; to: number }): Readable {
    const adapt = (line: string) => tolerateExistingRole(majors.to > majors.from ? withoutGrantor(line) : line);
    const prelude = [
        "CREATE TEMP TABLE fleet_target_roles AS SELECT rolname, rolpassword FROM pg_authid WHERE rolname !~ '^pg_';",
        "",
    ].join("\n");
    const epilogue = [
        "",
        "SELECT format('ALTER ROLE %I WITH PASSWORD %L', rolname, rolpassword) FROM fleet_target_roles WHERE rolpassword IS NOT NULL \\gexec",
        "SELECT format('ALTER ROLE %I WITH PASSWORD NULL', rolname) FROM fleet_target_roles WHERE rolpassword IS NULL \\gexec",
        "",
    ].join("\n");
    async function* script() {
        yield prelude;
        let pending = "";
        for await (const chunk of createReadStream(globalsPath, { encoding: "utf8" })) {
            const lines = (pending + (chunk as string)).split("\n");
            pending = lines.pop()!;
            yield lines.map(adapt).join("\n") + "\n";
        }
        yield adapt(pending);
        yield epilogue;
    }
    return Readable.from(script());
}

/**
 * A role grant of an older major's pg_dumpall without its `GRANTED BY`: from Postgres 16 on the grantor
 * must hold ADMIN OPTION on the role, which the grantors of an older cluster (postgres) may not. The
 * restoring superuser grants it instead; only the record of who granted it is lost.
 */
export function withoutGrantor(line: string): string {
    return /^GRANT .+ TO .+ GRANTED BY [^;]+;$/.test(line) ? line.replace(/ GRANTED BY [^;]+;$/, ";") : line;
}

/** `CREATE ROLE x;` of pg_dumpall, made a no-op for a role the target already has (its attributes follow in ALTER ROLE). */
export function tolerateExistingRole(line: string): string {
    const match = /^CREATE ROLE (.+);$/.exec(line);
    return match ? `DO $fleet$ BEGIN CREATE ROLE ${match[1]}; EXCEPTION WHEN duplicate_object THEN NULL; END $fleet$;` : line;
}

async function countRows(db: TenantDb, database: string, tables: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    // Table names come from pg_dump, already quoted as SQL identifiers; batches keep each query small.
    for (let start = 0; start < tables.length; start += 200) {
        const batch = tables.slice(start, start + 200);
        const sql = `${batch.map((table) => `SELECT ${quoteLiteral(table)}, count(*) FROM ${table}`).join("\nUNION ALL\n")};`;
        for (const line of await db.query(sql, database, `counting the rows of ${database}`)) {
            const separator = line.lastIndexOf("|");
            counts.set(line.slice(0, separator), Number(line.slice(separator + 1)));
        }
    }
    return counts;
}

const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;
