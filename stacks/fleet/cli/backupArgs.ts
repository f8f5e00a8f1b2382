/** Arguments and output of the backup commands: where backups live, retention, the listing. */
import { resolve } from "node:path";
import { BackupFolder, type BackupEntry, type Retention } from "../../backup/folder.js";
import { parseS3Url, s3SettingsFromEnv } from "../../backup/s3Client.js";
import { FolderBackupStore, S3BackupStore, type BackupStore } from "../../backup/store.js";
import { FleetUsageError } from "../fleet.js";
import { renderTable } from "../table.js";

/** Where backups go unless --dir or $FLEET_BACKUP_DIR says otherwise (relative to the working directory). */
export const DEFAULT_BACKUP_DIR = "backups";
const MAX_KEEP = 10_000;
const MAX_AGE_DAYS = 36_500;

/**
 * Where the backup commands keep backups: `--s3 s3://bucket/prefix` or `--dir <folder>`, else
 * $FLEET_BACKUP_S3, else $FLEET_BACKUP_DIR, else ./backups. The S3 client reads the standard AWS
 * variables (s3SettingsFromEnv); a problem with any of them is a one-line S3UsageError.
 */
export function backupStoreFrom(values: { dir?: string; s3?: string }, env: NodeJS.ProcessEnv, cwd: string): BackupStore {
    if (values.dir !== undefined && values.s3 !== undefined) throw new FleetUsageError("--dir and --s3 name two backup targets: give one");
    if (values.dir === "") throw new FleetUsageError("--dir: must name a folder (got an empty value)");
    // An empty variable is an unset one (a workflow sets a repository variable nobody defined to "").
    const fromEnv = (name: string) => (env[name] === "" ? undefined : env[name]);
    const s3 = values.s3 ?? (values.dir === undefined ? fromEnv("FLEET_BACKUP_S3") : undefined);
    if (s3 !== undefined) return new S3BackupStore(parseS3Url(s3, values.s3 !== undefined ? "--s3" : "FLEET_BACKUP_S3"), s3SettingsFromEnv(env));
    return new FolderBackupStore(new BackupFolder(resolve(cwd, values.dir ?? fromEnv("FLEET_BACKUP_DIR") ?? DEFAULT_BACKUP_DIR)));
}

/** `--keep` and `--max-age` as retention rules, or the one-line problem with them. */
export function retentionFrom(values: { keep?: string; "max-age"?: string }): Retention | string {
    const retention: { keep?: number; maxAgeDays?: number } = {};
    if (values.keep !== undefined) {
        const keep = Number(values.keep);
        if (!/^\d+$/.test(values.keep) || keep < 1 || keep > MAX_KEEP) return `--keep: must be a whole number of backups from 1 to ${MAX_KEEP} (got ${values.keep})`;
        retention.keep = keep;
    }
    if (values["max-age"] !== undefined) {
        const match = /^(\d+)d?$/.exec(values["max-age"]);
        const days = match ? Number(match[1]) : NaN;
        if (!match || days < 1 || days > MAX_AGE_DAYS) return `--max-age: must be a whole number of days from 1 to ${MAX_AGE_DAYS}, like 30 or 30d (got ${values["max-age"]})`;
        retention.maxAgeDays = days;
    }
    return retention;
}

export function formatBytes(bytes: number): string {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
    }
    return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatAge(ms: number): string {
    const minutes = Math.max(0, Math.floor(ms / 60_000));
    if (minutes < 60) return `${minutes}m`;
    if (minutes < 48 * 60) return `${Math.floor(minutes / 60)}h`;
    return `${Math.floor(minutes / 1440)}d`;
}

export interface BackupListing {
    readonly id: string;
    readonly createdAt: string;
    readonly ageSeconds: number;
    readonly release: string;
    readonly bytes: number;
    readonly files: number;
    readonly databases: readonly string[];
    readonly dir: string;
}

export function backupListing(entries: readonly BackupEntry[], now: number): BackupListing[] {
    return entries.map((entry) => ({
        id: entry.id,
        createdAt: entry.manifest.createdAt,
        ageSeconds: Math.max(0, Math.round((now - Date.parse(entry.manifest.createdAt)) / 1000)),
        release: entry.manifest.release,
        bytes: entry.bytes,
        files: entry.manifest.files.length,
        databases: entry.manifest.files.flatMap((file) => (file.kind === "database" ? [file.database] : [])),
        dir: entry.dir,
    }));
}

export function renderBackupListing(ref: string, listing: readonly BackupListing[], root: string): string {
    if (listing.length === 0) return `no backups of ${ref} in ${root} (fleet backup ${ref} makes one)`;
    return renderTable(
        ["BACKUP", "CREATED", "AGE", "RELEASE", "SIZE", "DATABASES"],
        listing.map((entry) => [entry.id, entry.createdAt, formatAge(entry.ageSeconds * 1000), entry.release, formatBytes(entry.bytes), entry.databases.join(", ")]),
    );
}
