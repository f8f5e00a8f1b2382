/**
 * Tar streams of data volumes, as the Docker API reads and writes them: an archive of a path holds
 * one top folder named like the path's last segment. Files the target stack renders itself (the
 * main edge function) are never restored over it, and never count as a difference.
 */
import { createHash } from "node:crypto";
import { posix } from "node:path";
import { Readable } from "node:stream";
import * as tar from "tar-stream";
import { MAIN_EDGE_FUNCTION_DIR } from "../../components/files/mainEdgeFunction.js";

/** Paths inside containers that belong to the stack, not to the backup. */
export const RENDERED_PATHS: readonly string[] = [MAIN_EDGE_FUNCTION_DIR];

const isRendered = (absolute: string) => RENDERED_PATHS.some((path) => absolute === path || absolute.startsWith(`${path}/`));

/** The absolute path an entry of an archive of `mountPath` lands on, and its path inside the volume. */
function locate(entryName: string, mountPath: string): { absolute: string; relative: string } {
    const relative = entryName.replace(/^\.?\/?[^/]+\/?/, "").replace(/\/$/, "");
    return { absolute: relative ? posix.join(mountPath, relative) : mountPath, relative };
}

/**
 * Re-packs an archive read from `sourcePath` so that it unpacks at `targetPath`'s parent onto
 * `targetPath`, leaving out rendered files.
 */
export function retarget(archive: Readable, sourcePath: string, targetPath: string): Readable {
    const top = posix.basename(targetPath);
    const pack = tar.pack();
    const entries = tar.extract();
    archive.on("error", (error) => entries.destroy(error));
    archive.pipe(entries as unknown as NodeJS.WritableStream);
    (async () => {
        for await (const entry of entries) {
            const { relative } = locate(entry.header.name, sourcePath);
            if (isRendered(posix.join(targetPath, relative))) {
                entry.resume();
                continue;
            }
            const name = relative ? `${top}/${relative}` : top;
            // Streamed entry by entry: no file of a volume is ever held in memory whole.
            await new Promise<void>((resolve, reject) => {
                const sink = pack.entry({ ...entry.header, name: entry.header.type === "directory" ? `${name}/` : name }, (error) => (error ? reject(error) : resolve()));
                entry.pipe(sink);
            });
        }
        pack.finalize();
    })().catch((error: unknown) => pack.destroy(error as Error));
    return Readable.from(pack as AsyncIterable<Buffer>);
}

/** SHA-256 of every regular file in an archive of `mountPath`, by path inside the volume; rendered files left out. */
export async function fileDigests(archive: Readable, mountPath: string): Promise<Map<string, string>> {
    const digests = new Map<string, string>();
    const entries = tar.extract();
    archive.on("error", (error) => entries.destroy(error));
    archive.pipe(entries as unknown as NodeJS.WritableStream);
    for await (const entry of entries) {
        const { absolute, relative } = locate(entry.header.name, mountPath);
        if (entry.header.type !== "file" || isRendered(absolute)) {
            entry.resume();
            continue;
        }
        const hash = createHash("sha256");
        for await (const chunk of entry) hash.update(chunk as Buffer);
        digests.set(relative, hash.digest("hex"));
    }
    return digests;
}

/** Files of the backup that the restored volume lacks or holds with other contents, one line each. Files the target has besides them are not the backup's concern. */
export function digestDifferences(expected: ReadonlyMap<string, string>, found: ReadonlyMap<string, string>): string[] {
    const problems: string[] = [];
    for (const [path, digest] of expected) {
        const other = found.get(path);
        if (other === undefined) problems.push(`${path} is missing`);
        else if (other !== digest) problems.push(`${path} differs`);
    }
    return problems;
}
