/**
 * What a backup holds, written last into its folder: a backup without a readable manifest is
 * incomplete and is never restored. Every file is listed with its size and SHA-256, so a restore
 * and a drill refuse a backup that changed after it was written.
 */
import { z } from "zod";

export const MANIFEST_FILE = "manifest.json";
export const MANIFEST_FORMAT = 1;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
/** File names inside a backup folder: a plain name, never a path. */
const fileName = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/);

const fileBase = { name: fileName, bytes: z.number().int().nonnegative(), sha256: sha256Hex };

export const backupFileSchema = z.discriminatedUnion("kind", [
    /** `pg_dumpall --globals-only`: roles (with their password hashes) and tablespaces. */
    z.object({ kind: z.literal("globals"), ...fileBase }),
    /** `pg_dump -Fc` of one database. */
    z.object({ kind: z.literal("database"), database: z.string().min(1), ...fileBase }),
    /** A tar of one data volume, read through a container that mounts it. */
    z.object({ kind: z.literal("volume"), volume: z.string().min(1), service: z.string().min(1), path: z.string().startsWith("/"), ...fileBase }),
]);
export type BackupFile = z.infer<typeof backupFileSchema>;

export const manifestSchema = z.object({
    format: z.literal(MANIFEST_FORMAT),
    ref: z.string().min(1),
    id: z.string().min(1),
    createdAt: z.iso.datetime(),
    /** The tenant's named release: a restore goes into a tenant of the same release. */
    release: z.string().min(1),
    dbImage: z.string().min(1),
    postgresVersion: z.string().min(1),
    durationMs: z.number().int().nonnegative(),
    files: z.array(backupFileSchema).min(1),
});
export type BackupManifest = z.infer<typeof manifestSchema>;

export const totalBytes = (manifest: BackupManifest): number => manifest.files.reduce((sum, file) => sum + file.bytes, 0);
