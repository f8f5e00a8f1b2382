import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pulumiChildren, waitForPulumiChildren } from "../../stacks/fleet/childExit.js";

describe("waiting for the Pulumi CLI to exit after a cancel", () => {
    it.skipIf(process.platform !== "linux")("sees a child named pulumi until it exits, and waits for it", async () => {
        const dir = mkdtempSync(join(tmpdir(), "child-exit-"));
        try {
            const fakeCli = join(dir, "pulumi");
            copyFileSync("/bin/sleep", fakeCli);
            const child = spawn(fakeCli, ["0.8"]);
            await new Promise((resolve) => child.once("spawn", resolve));
            expect(pulumiChildren()).toEqual([child.pid]);
            const started = Date.now();
            await waitForPulumiChildren(10_000, 20);
            expect(pulumiChildren()).toEqual([]);
            expect(Date.now() - started).toBeGreaterThan(300);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
