/**
 * The backup folder on the machine that runs the fleet: `<root>/<ref>/<id>/`, one folder per backup
 * with its files and its manifest. A backup is written under `.<id>.partial` and renamed to `<id>`
 * only once its manifest is in, so a folder named like an id is always complete. Backups hold every
 * row and role password hash of a tenant: folders are 0700 and files 0600, existing ones included.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { MANIFEST_FILE, manifestSchema, totalBytes, type BackupManifest } from "./manifest.js";

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
const PARTIAL_SUFFIX = ".partial";
/** A partial folder this old belongs to a backup that died; retention removes it. */
export const ABANDONED_PARTIAL_MS = 6 * 3600_000;
export const ID_PATTERN = /^\d{8}T\d{6}Z(-\d+)?$/;

export interface BackupEntry {
    readonly id: string;
    readonly dir: string;
    readonly manifest: BackupManifest;
    readonly bytes: number;
}

export interface Retention {
    /** Keep at most this many backups per tenant (the newest). */
    readonly keep?: number;
    /** Remove backups older than this many days. */
    readonly maxAgeDays?: number;
}

export class BackupFolder {
    constructor(readonly root: string) {}

    /** Starts a backup of `ref`: a new partial folder, and the id it will have once committed. */
    begin(ref: string, now: Date): { id: string; dir: string } {
        const tenantDir = this.tenantDir(ref, true);
        const base = backupId(now);
        let id = base;
        for (let n = 2; existsSync(join(tenantDir, id)) || existsSync(join(tenantDir, `.${id}${PARTIAL_SUFFIX}`)); n++) id = `${base}-${n}`;
        const dir = join(tenantDir, `.${id}${PARTIAL_SUFFIX}`);
        mkdirSync(dir, { mode: PRIVATE_DIR_MODE });
        return { id, dir };
    }

    /** Writes the manifest and makes the backup visible under its id. */
    commit(ref: string, partialDir: string, manifest: BackupManifest): BackupEntry {
        writeFileSync(join(partialDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
        const dir = join(this.tenantDir(ref, true), manifest.id);
        renameSync(partialDir, dir);
        return { id: manifest.id, dir, manifest, bytes: totalBytes(manifest) };
    }

    abandon(partialDir: string): void {
        rmSync(partialDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }); // a dump stream may still be closing in it
    }

    /** The complete backups of `ref`, newest first. Folders without a valid manifest are skipped. */
    list(ref: string): BackupEntry[] {
        const tenantDir = this.tenantDir(ref, false);
        if (!existsSync(tenantDir)) return [];
        const entries: BackupEntry[] = [];
        for (const name of readdirSync(tenantDir)) {
            if (!ID_PATTERN.test(name)) continue;
            const manifest = readManifest(join(tenantDir, name));
            if (manifest && manifest.id === name && manifest.ref === ref) entries.push({ id: name, dir: join(tenantDir, name), manifest, bytes: totalBytes(manifest) });
        }
        return entries.sort(newestFirst);
    }

    /** A backup by id, or the newest with `latest`; a usage-style error names what exists. */
    find(ref: string, idOrLatest: string): BackupEntry {
        return pickBackup(this.list(ref), ref, idOrLatest, this.root);
    }

    /** Files whose size or SHA-256 differ from the manifest, one line each; empty when intact. */
    async verify(entry: BackupEntry): Promise<string[]> {
        const problems: string[] = [];
        for (const file of entry.manifest.files) {
            const path = join(entry.dir, file.name);
            if (!existsSync(path)) {
                problems.push(`${file.name} is missing`);
                continue;
            }
            const bytes = statSync(path).size;
            if (bytes !== file.bytes) {
                problems.push(`${file.name} has ${bytes} bytes, the manifest says ${file.bytes}`);
                continue;
            }
            if ((await sha256OfFile(path)) !== file.sha256) problems.push(`${file.name} does not match its SHA-256 in the manifest`);
        }
        return problems;
    }

    /**
     * Removes backups beyond `keep` and older than `maxAgeDays`, and abandoned partial folders. The
     * newest complete backup always stays, whatever the rules say. Returns the removed ids.
     */
    applyRetention(ref: string, retention: Retention, now: Date): string[] {
        const removed = expiredBackups(this.list(ref), retention, now).map((entry) => {
            rmSync(entry.dir, { recursive: true, force: true });
            return entry.id;
        });
        const tenantDir = this.tenantDir(ref, false);
        for (const name of existsSync(tenantDir) ? readdirSync(tenantDir) : []) {
            const path = join(tenantDir, name);
            if (name.startsWith(".") && name.endsWith(PARTIAL_SUFFIX) && now.getTime() - statSync(path).mtimeMs > ABANDONED_PARTIAL_MS) rmSync(path, { recursive: true, force: true });
        }
        return removed;
    }

    /** `<root>/<ref>`, created (and the root with it) 0700 when asked; existing ones are made 0700. */
    private tenantDir(ref: string, create: boolean): string {
        const dir = join(this.root, ref);
        if (create) {
            mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
            chmodSync(this.root, PRIVATE_DIR_MODE);
            chmodSync(dir, PRIVATE_DIR_MODE);
        }
        return dir;
    }
}

export class BackupNotFoundError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "BackupNotFoundError";
    }
}

/** Which backups the rules remove, newest first in `backups`; the newest always stays. */
export function expiredBackups(backups: readonly BackupEntry[], retention: Retention, now: Date): BackupEntry[] {
    return backups.filter((entry, index) => {
        if (index === 0) return false;
        const ageMs = now.getTime() - Date.parse(entry.manifest.createdAt);
        const beyondCount = retention.keep !== undefined && index >= retention.keep;
        const tooOld = retention.maxAgeDays !== undefined && ageMs > retention.maxAgeDays * 86_400_000;
        return beyondCount || tooOld;
    });
}

export function newestFirst(a: BackupEntry, b: BackupEntry): number {
    return a.manifest.createdAt === b.manifest.createdAt ? b.id.localeCompare(a.id) : b.manifest.createdAt.localeCompare(a.manifest.createdAt);
}

/** The backup `idOrLatest` of `backups` (newest first); BackupNotFoundError names what `location` holds. */
export function pickBackup(backups: readonly BackupEntry[], ref: string, idOrLatest: string, location: string): BackupEntry {
    const found = idOrLatest === "latest" ? backups[0] : backups.find((entry) => entry.id === idOrLatest);
    if (found) return found;
    if (backups.length === 0) throw new BackupNotFoundError(`no complete backup of ${ref} in ${location} (fleet backup ${ref} makes one)`);
    throw new BackupNotFoundError(`no backup ${idOrLatest} of ${ref} in ${location}; the newest is ${backups[0]!.id} (fleet backups ${ref} lists them)`);
}

/** `20261203T234012Z`: sorts by time and is safe in every file system. */
export function backupId(now: Date): string {
    return now.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

function readManifest(dir: string): BackupManifest | undefined {
    try {
        const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(join(dir, MANIFEST_FILE), "utf8")));
        return parsed.success ? parsed.data : undefined;
    } catch {
        return undefined;
    }
}

export async function sha256OfFile(path: string): Promise<string> {
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest("hex");
}
