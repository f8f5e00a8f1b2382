/**
 * A copy of the project's files (tracked and new, not ignored) in a temporary folder, sharing this
 * checkout's node_modules: what a new user has after a clone, for end-to-end tests and benchmarks
 * that create stacks, state and stack files without touching the checkout.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export function freshProjectCopy(repoRoot: string, prefix = "fleet-e2e-"): string {
    const listed = spawnSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], { cwd: repoRoot, encoding: "utf8", maxBuffer: 64 << 20 });
    if (listed.status !== 0) throw new Error(`git ls-files failed in ${repoRoot}: ${listed.stderr}`);
    const root = mkdtempSync(join(tmpdir(), prefix));
    for (const file of listed.stdout.split("\0").filter(Boolean)) {
        mkdirSync(dirname(join(root, file)), { recursive: true });
        try {
            cpSync(join(repoRoot, file), join(root, file));
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error; // deleted in the work tree
        }
    }
    symlinkSync(join(repoRoot, "node_modules"), join(root, "node_modules"));
    return root;
}
