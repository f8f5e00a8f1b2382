/**
 * Output into a closed pipe (`| head`, a reader that stops early) ends quietly with the command's own
 * status, and an unexpected error is one line: no EPIPE, no stack trace (stacks/cli/process.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { npmRun, quietEnv, REPO, run } from "./spawn.js";

const STACK_LINE = /^ {4}at /m;

describe("a closed stdout", () => {
    const cases: [string, string[]][] = [
        ["plan", ["--stack", "dev", "--json"]],
        ["plan", ["--stack", "dev"]],
        ["fleet", ["--help"]],
        ["plan:diff", ["--help"]],
    ];
    for (const [script, args] of cases) {
        it.concurrent(`npm run ${script} -- ${args.join(" ")} ends quietly with exit 0`, async () => {
            const result = await npmRun(script, args, { closeStdout: true });
            expect(result.stderr).not.toContain("EPIPE");
            expect(result.stderr).not.toMatch(STACK_LINE);
            expect(result.code).toBe(0);
        });
    }

    it.concurrent("keeps the command's own status: a wrong stack still exits 2 with its one-line error", async () => {
        const result = await npmRun("plan", ["--stack", "nope", "--json"], { closeStdout: true });
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(/^error: unknown stack "nope"[^\n]*\n$/);
    });

    // pipefail: the pipeline's status is the plan's, not head's. The JSON plan is larger than a pipe buffer.
    for (const [reader, expected] of [["head -c 10", "{\n  \"outpu"], ["head -1", "{\n"]] as const) {
        it.concurrent(`\`npm run plan -- --stack dev --json | ${reader}\` ends quietly with the plan's status`, async () => {
            const result = await run("bash", ["-o", "pipefail", "-c", `npm run --silent plan -- --stack dev --json | ${reader}`]);
            expect(result.stderr).toBe("");
            expect(result.code).toBe(0);
            expect(result.stdout).toBe(expected);
        });
    }
});

describe("a command whose reader leaves mid-run", () => {
    it.concurrent("finishes its work and exits with its own status (a fleet run must not stop mid-update)", async () => {
        const dir = mkdtempSync(join(tmpdir(), "pipes-"));
        onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
        const marker = join(dir, "finished");
        const result = await run(process.execPath, ["--import", "tsx", `${REPO}test/cli/fixtures/keepsWorking.ts`, marker], { closeStdout: true });
        expect(result.stderr).toBe("");
        expect(result.code).toBe(3);
        expect(readFileSync(marker, "utf8")).toBe("finished");
    });
});

describe("an unexpected error", () => {
    const fixture = ["--import", "tsx", `${REPO}test/cli/fixtures/fails.ts`];

    it.concurrent("is one line on stderr and exit 1", async () => {
        const result = await run(process.execPath, fixture);
        expect(result.code).toBe(1);
        expect(result.stderr).toBe("error: boom in main (--verbose or DEBUG=1 for details)\n");
    });

    it.concurrent("outside main too (an unhandled rejection)", async () => {
        const result = await run(process.execPath, [...fixture, "reject"]);
        expect(result.code).toBe(1);
        expect(result.stderr).toBe("error: rejected outside main (--verbose or DEBUG=1 for details)\n");
    });

    it.concurrent("shows the whole message and the stack with DEBUG set or --verbose", async () => {
        for (const result of [await run(process.execPath, fixture, { env: quietEnv({ DEBUG: "1" }) }), await run(process.execPath, [...fixture, "--verbose"])]) {
            expect(result.code).toBe(1);
            expect(result.stderr).toContain("error: boom in main\nwith a second line\n");
            expect(result.stderr).toMatch(STACK_LINE);
        }
    });
});
