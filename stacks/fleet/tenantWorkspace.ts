/**
 * A work directory per tenant, so parallel Automation API runs never share workspace files: Pulumi
 * records the selected stack per project-file path (in PULUMI_HOME/workspaces), and `stack select`
 * from many processes at once on one Pulumi.yaml races on that file.
 *
 * `.fleet/workspaces/<ref>/` holds a copy of the project file and a link `program` to the repo root.
 * Pulumi requires `main` to lie inside the project directory, so the copy points `main` and
 * `stackConfigDir` through the link: the program that runs and the `Pulumi.<ref>.yaml` it reads are
 * the repo's own, exactly as with `pulumi up` run in the repo.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join, posix } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { replaceFile } from "./replaceFile.js";

export const WORKSPACES_DIR = join(".fleet", "workspaces");
const PROGRAM_LINK = "program";

/** The project file of the per-tenant directory, derived from the repo's. */
export function tenantProjectFile(rootProject: Record<string, unknown>): Record<string, unknown> {
    const through = (path: unknown) => (typeof path === "string" && path !== "" && path !== "." ? posix.join(PROGRAM_LINK, path) : PROGRAM_LINK);
    return { ...rootProject, main: through(rootProject.main), stackConfigDir: through(rootProject.stackConfigDir) };
}

export function readRootProject(repoRoot: string): Record<string, unknown> {
    const path = join(repoRoot, "Pulumi.yaml");
    if (!existsSync(path)) throw new Error(`no Pulumi.yaml in ${repoRoot}: the fleet runs the project there`);
    const project = parseYaml(readFileSync(path, "utf8")) as unknown;
    if (typeof project !== "object" || project === null) throw new Error(`${path} is not a YAML mapping`);
    return project as Record<string, unknown>;
}

/** Prepares `.fleet/workspaces/<key>` and returns its path. Safe to call again and from many processes. */
export function prepareTenantWorkspace(repoRoot: string, key: string, rootProject: Record<string, unknown>): string {
    const dir = join(repoRoot, WORKSPACES_DIR, key);
    mkdirSync(dir, { recursive: true });
    const link = join(dir, PROGRAM_LINK);
    if (!isLink(link)) symlinkSync(repoRoot, link, "junction");
    const projectFile = join(dir, "Pulumi.yaml");
    replaceFile(projectFile, stringifyYaml(tenantProjectFile(rootProject)));
    return dir;
}

function isLink(path: string): boolean {
    try {
        return lstatSync(path).isSymbolicLink();
    } catch {
        return false;
    }
}
