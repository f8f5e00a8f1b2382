/** Writes plan documents as `<dir>/<stack>.json` (the committed snapshots use this). */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stableJson, type PlanDocument } from "./document.js";

export interface WriteResult {
    readonly written: string[];
    readonly removed: string[];
}

/**
 * Writes one file per document. With `pruneOtherStacksOf`, also removes files in `dir` that hold a
 * plan document of that project for a stack not among `documents` (a stack whose file was deleted);
 * other files are left alone.
 */
export function writeDocuments(dir: string, documents: readonly PlanDocument[], options: { pruneOtherStacksOf?: string } = {}): WriteResult {
    mkdirSync(dir, { recursive: true });
    const written: string[] = [];
    for (const document of documents) {
        const path = join(dir, `${document.stack}.json`);
        writeFileSync(path, stableJson(document));
        written.push(path);
    }
    const removed: string[] = [];
    if (options.pruneOtherStacksOf !== undefined) {
        const current = new Set(documents.map((document) => `${document.stack}.json`));
        for (const file of readdirSync(dir).filter((name) => name.endsWith(".json") && !current.has(name)).sort()) {
            const path = join(dir, file);
            if (isPlanDocumentOf(path, options.pruneOtherStacksOf)) {
                rmSync(path);
                removed.push(path);
            }
        }
    }
    return { written, removed };
}

function isPlanDocumentOf(path: string, project: string): boolean {
    try {
        const value = JSON.parse(readFileSync(path, "utf8")) as Partial<PlanDocument>;
        return value.project === project && typeof value.stack === "string" && Array.isArray(value.resources);
    } catch {
        return false;
    }
}
