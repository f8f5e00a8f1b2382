/** Loads a preview fixture scenario (test/fixtures/preview/<name>/manifest.json) as the fleet would hand it over. */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation/index.js";
import type { PreviewJsonDocument, TenantPreview } from "../../stacks/preview/index.js";
import { FIXTURE_DIR, type ManifestTenant } from "../fixtures/preview/generate.js";

export function readEventLog(file: string): EngineEvent[] {
    return readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as EngineEvent);
}

export function loadScenario(name: string): TenantPreview[] {
    const dir = path.join(FIXTURE_DIR, name);
    const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as { tenants: ManifestTenant[] };
    return manifest.tenants.map((t) => {
        const tenant: TenantPreview = { ref: t.ref, status: t.status ?? "ok" };
        if (t.error) tenant.error = t.error;
        if (t.events) tenant.events = readEventLog(path.join(dir, t.events));
        if (t.previewJson) tenant.previewJson = JSON.parse(readFileSync(path.join(dir, t.previewJson), "utf8")) as PreviewJsonDocument;
        return tenant;
    });
}
