/** A committed backup of made-up files, for the tests of the backup folder and the S3 target. */
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256OfFile, type BackupEntry, type BackupFolder } from "../../stacks/backup/folder.js";
import { MANIFEST_FORMAT, type BackupManifest } from "../../stacks/backup/manifest.js";

/** Commits a backup of `ref` taken at `at` into `folder`: `globals.sql` as roles, any other file as a volume archive. */
export async function commitBackup(folder: BackupFolder, ref: string, at: string, files: Record<string, Buffer | string>): Promise<BackupEntry> {
    const { id, dir } = folder.begin(ref, new Date(at));
    const listed: BackupManifest["files"] = [];
    for (const [name, content] of Object.entries(files)) {
        writeFileSync(join(dir, name), content);
        const sums = { name, bytes: statSync(join(dir, name)).size, sha256: await sha256OfFile(join(dir, name)) };
        listed.push(name === "globals.sql" ? { kind: "globals", ...sums } : { kind: "volume", volume: name.replace(/\.tar$/, ""), service: "storage", path: "/var/lib/storage", ...sums });
    }
    const manifest: BackupManifest = {
        format: MANIFEST_FORMAT,
        ref,
        id,
        createdAt: new Date(at).toISOString(),
        release: "feb-2026",
        dbImage: "supabase/postgres:15.8.1.085",
        postgresVersion: "15.8",
        durationMs: 10,
        files: listed,
    };
    return folder.commit(ref, dir, manifest);
}
