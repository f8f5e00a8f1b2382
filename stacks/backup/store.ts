/**
 * Where backups are kept: a folder on the machine that runs the fleet, or an S3 bucket. Both hold the
 * same layout, `<ref>/<id>/<files>` with `manifest.json` written last, so a backup is complete exactly
 * when its manifest is there. A backup is always made and read in a local folder: for S3 it is made
 * in a private staging folder and uploaded file by file (manifest last), and read back by
 * downloading it into one, where the manifest's sizes and SHA-256 sums are checked as for a folder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ABANDONED_PARTIAL_MS, BackupFolder, expiredBackups, ID_PATTERN, newestFirst, pickBackup, PRIVATE_FILE_MODE, type BackupEntry, type Retention } from "./folder.js";
import { MANIFEST_FILE, manifestSchema, totalBytes, type BackupManifest } from "./manifest.js";
import { S3Client, type S3ClientSettings, type S3Location } from "./s3Client.js";

/** A backup to read: its files in a local folder until `release()` is called. */
export interface OpenedBackup {
    readonly folder: BackupFolder;
    readonly entry: BackupEntry;
    release(): void;
}

export interface BackupStore {
    /** For messages: a folder path or an s3:// URL. Never holds credentials. */
    readonly location: string;
    /** The complete backups of `ref`, newest first. */
    list(ref: string): Promise<BackupEntry[]>;
    /** A backup by id, or the newest with `latest`; BackupNotFoundError names what exists. */
    find(ref: string, idOrLatest: string): Promise<BackupEntry>;
    /** Runs `make` on a local folder and keeps the backup it committed there. */
    save(ref: string, make: (folder: BackupFolder) => Promise<BackupEntry>): Promise<BackupEntry>;
    open(entry: BackupEntry): Promise<OpenedBackup>;
    /** Applies the retention rules (the newest backup always stays); returns the removed ids. */
    applyRetention(ref: string, retention: Retention, now: Date): Promise<string[]>;
}

export class FolderBackupStore implements BackupStore {
    readonly location: string;

    constructor(readonly folder: BackupFolder) {
        this.location = folder.root;
    }

    async list(ref: string): Promise<BackupEntry[]> {
        return this.folder.list(ref);
    }

    async find(ref: string, idOrLatest: string): Promise<BackupEntry> {
        return this.folder.find(ref, idOrLatest);
    }

    save(_ref: string, make: (folder: BackupFolder) => Promise<BackupEntry>): Promise<BackupEntry> {
        return make(this.folder);
    }

    async open(entry: BackupEntry): Promise<OpenedBackup> {
        return { folder: this.folder, entry, release: () => undefined };
    }

    async applyRetention(ref: string, retention: Retention, now: Date): Promise<string[]> {
        return this.folder.applyRetention(ref, retention, now);
    }
}

export class S3BackupStore implements BackupStore {
    readonly location: string;
    private readonly client: S3Client;

    constructor(
        private readonly target: S3Location,
        settings: S3ClientSettings,
    ) {
        this.location = `s3://${target.bucket}/${target.prefix}`.replace(/\/$/, "");
        this.client = new S3Client(settings, target.bucket);
    }

    async list(ref: string): Promise<BackupEntry[]> {
        const tenantPrefix = this.tenantPrefix(ref);
        const manifests = (await this.client.list(tenantPrefix)).filter((object) => {
            const [id, name, ...rest] = object.key.slice(tenantPrefix.length).split("/");
            return rest.length === 0 && name === MANIFEST_FILE && ID_PATTERN.test(id ?? "");
        });
        const entries: BackupEntry[] = [];
        for (const object of manifests) {
            const id = object.key.slice(tenantPrefix.length).split("/")[0]!;
            const manifest = parseManifest(await this.client.getText(object.key));
            if (manifest && manifest.id === id && manifest.ref === ref) entries.push({ id, dir: `${this.location}/${ref}/${id}`, manifest, bytes: totalBytes(manifest) });
        }
        return entries.sort(newestFirst);
    }

    async find(ref: string, idOrLatest: string): Promise<BackupEntry> {
        return pickBackup(await this.list(ref), ref, idOrLatest, this.location);
    }

    async save(ref: string, make: (folder: BackupFolder) => Promise<BackupEntry>): Promise<BackupEntry> {
        const staging = privateStaging();
        try {
            const local = await make(new BackupFolder(staging));
            const backupPrefix = `${this.tenantPrefix(ref)}${local.id}/`;
            for (const file of local.manifest.files) await this.client.putFile(backupPrefix + file.name, join(local.dir, file.name), file.bytes);
            // Last: with the manifest in, the backup exists for list, restore and retention.
            await this.client.putText(backupPrefix + MANIFEST_FILE, `${JSON.stringify(local.manifest, null, 2)}\n`);
            return { ...local, dir: `${this.location}/${ref}/${local.id}` };
        } finally {
            rmSync(staging, { recursive: true, force: true });
        }
    }

    async open(entry: BackupEntry): Promise<OpenedBackup> {
        const staging = privateStaging();
        try {
            const ref = entry.manifest.ref;
            const local = new BackupFolder(staging);
            const { dir } = local.begin(ref, new Date(entry.manifest.createdAt));
            const backupPrefix = `${this.tenantPrefix(ref)}${entry.id}/`;
            for (const file of entry.manifest.files) await this.client.download(backupPrefix + file.name, join(dir, file.name), PRIVATE_FILE_MODE);
            // Committed under the manifest's id, the one it has in the bucket.
            const opened = local.commit(ref, dir, entry.manifest);
            return { folder: local, entry: opened, release: () => rmSync(staging, { recursive: true, force: true }) };
        } catch (error) {
            rmSync(staging, { recursive: true, force: true });
            throw error;
        }
    }

    async applyRetention(ref: string, retention: Retention, now: Date): Promise<string[]> {
        const tenantPrefix = this.tenantPrefix(ref);
        const objects = await this.client.list(tenantPrefix);
        const expired = expiredBackups(await this.list(ref), retention, now).map((entry) => entry.id);
        // Uploads that died before their manifest: removed once they are old enough not to be running.
        const complete = new Set(objects.filter((object) => object.key.endsWith(`/${MANIFEST_FILE}`)).map((object) => idOf(object.key, tenantPrefix)));
        const abandoned = new Set(
            objects.filter((object) => !complete.has(idOf(object.key, tenantPrefix)) && now.getTime() - object.lastModified.getTime() > ABANDONED_PARTIAL_MS).map((object) => idOf(object.key, tenantPrefix)),
        );
        for (const object of objects) {
            const id = idOf(object.key, tenantPrefix);
            // The manifest first: a backup stops being complete before its files go.
            if (expired.includes(id) && object.key.endsWith(`/${MANIFEST_FILE}`)) await this.client.delete(object.key);
        }
        for (const object of objects) {
            const id = idOf(object.key, tenantPrefix);
            if ((expired.includes(id) && !object.key.endsWith(`/${MANIFEST_FILE}`)) || abandoned.has(id)) await this.client.delete(object.key);
        }
        return expired;
    }

    private tenantPrefix(ref: string): string {
        return `${this.target.prefix}${ref}/`;
    }
}

function idOf(key: string, tenantPrefix: string): string {
    return key.slice(tenantPrefix.length).split("/")[0] ?? "";
}

function parseManifest(text: string): BackupManifest | undefined {
    try {
        const parsed = manifestSchema.safeParse(JSON.parse(text));
        return parsed.success ? parsed.data : undefined;
    } catch {
        return undefined;
    }
}

/** A 0700 folder of this machine's temporary directory for one backup's files. */
function privateStaging(): string {
    return mkdtempSync(join(tmpdir(), "fleet-backup-"));
}
