/**
 * Pulumi.yaml runs the compiled program (main: dist/index.js): every command that runs the program
 * compiles this checkout first, so an edit is never deployed stale. An up-to-date build is reused
 * (compiling takes seconds, and tests and the fleet run the program many times).
 */
import { spawnSync } from "node:child_process";
import { readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export class ProgramBuildError extends Error {
    constructor(readonly output: string) {
        super(`building the program failed (npm run build):\n${output}`);
        this.name = "ProgramBuildError";
    }
}

/** What tsconfig.build.json compiles, and what decides how. */
const BUILD_INPUTS = ["index.ts", "components", "tsconfig.json", "tsconfig.build.json", "package-lock.json"];
const BUILD_STAMP = join("dist", ".built-from-sources");

export function buildProgram(repoRoot: string): void {
    const stamp = statSync(join(repoRoot, BUILD_STAMP), { throwIfNoEntry: false })?.mtimeMs;
    if (stamp !== undefined && newestMtime(repoRoot, BUILD_INPUTS) < stamp) return;
    const startedAt = Date.now();
    const build = spawnSync("npm", ["run", "--silent", "build"], { cwd: repoRoot, encoding: "utf8" });
    if (build.status !== 0) throw new ProgramBuildError(`${build.stdout}${build.stderr}`.trim());
    // Stamped with the start time: a source saved during the build makes the next command build again.
    writeFileSync(join(repoRoot, BUILD_STAMP), "");
    utimesSync(join(repoRoot, BUILD_STAMP), startedAt / 1000, startedAt / 1000);
}

function newestMtime(root: string, entries: readonly string[]): number {
    let newest = 0;
    for (const entry of entries) {
        const path = join(root, entry);
        const stats = statSync(path, { throwIfNoEntry: false });
        if (!stats) continue;
        newest = Math.max(newest, stats.mtimeMs);
        if (stats.isDirectory()) newest = Math.max(newest, newestMtime(path, readdirSync(path)));
    }
    return newest;
}

/** Pulumi subcommands that run the program (`refresh` and `destroy` run it only when asked to). */
const PROGRAM_COMMANDS = new Set(["up", "update", "preview", "pre", "refresh", "destroy", "import", "watch"]);

/** Flags may come first (`-s dev preview`), so any such word counts: a needless build check costs nothing. */
export function runsProgram(pulumiArgs: readonly string[]): boolean {
    return pulumiArgs.some((arg) => PROGRAM_COMMANDS.has(arg));
}
