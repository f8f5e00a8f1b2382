/**
 * `npm run plan` as a user runs it (a child process): exit codes, one clear message per mistake and
 * no stack trace for a user's mistake, JSON identical to the library's, files written by --out.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { stableJson } from "../../stacks/plan/document.js";
import { planStacks } from "../../stacks/plan/runPlan.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function plan(...args: string[]): { code: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, ["--import", "tsx", join(repo, "stacks/cli/plan.ts"), ...args], {
        cwd: repo,
        encoding: "utf8",
        timeout: 60_000,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const STACK_TRACE_LINE = /^\s+at /m;

describe("npm run plan: mistakes", () => {
    it("an unknown flag: one line, exit 2", () => {
        const result = plan("--stack", "dev", "--bogus");
        expect(result.code).toBe(2);
        expect(result.stdout).toBe("");
        expect(result.stderr).toBe("error: unknown flag --bogus; flags: --stack, --all, --json, --out, --project-dir, --verbose, --help (see --help)\n");
    });

    it("an unknown stack: one line naming the stacks that exist, exit 2", () => {
        const result = plan("--project-dir", fixture("project"), "--stack", "prod");
        expect(result.code).toBe(2);
        expect(result.stderr).toBe(`error: unknown stack "prod": there is no Pulumi.prod.yaml in ${fixture("project")} (stacks: dev, tenant-b)\n`);
    });

    it("malformed YAML and invalid config: every problem, exit 1, no stack trace", () => {
        const result = plan("--project-dir", fixture("broken-config"), "--all");
        expect(result.code).toBe(1);
        expect(result.stdout).toBe("");
        const lines = result.stderr.trimEnd().split("\n");
        expect(lines[0]).toMatch(/^error: Pulumi\.broken\.yaml: malformed YAML: .+ at line 3, column 3$/);
        expect(lines[1]).toBe("error: Invalid tenant config (stack invalid):");
        expect(lines.slice(2)).toHaveLength(8);
        expect(lines).toContain("  - supabase-fleet:kongHttpPort: must be a whole number from 1 to 65535 (got 70000)");
        expect(result.stderr).not.toMatch(STACK_TRACE_LINE);
    });

    it("an exception inside the program: its message, exit 1; the trace only with --verbose", () => {
        const quiet = plan("--project-dir", fixture("throwing"), "--stack", "dev");
        expect(quiet.code).toBe(1);
        expect(quiet.stderr).toBe(
            'error: stack dev: the program failed: error serializing property "name": fixture failure while wiring boom-network\n' +
                "(run with --verbose for the stack trace)\n",
        );
        const verbose = plan("--project-dir", fixture("throwing"), "--stack", "dev", "--verbose");
        expect(verbose.code).toBe(1);
        expect(verbose.stderr).toMatch(STACK_TRACE_LINE);
        expect(verbose.stderr).toContain("fixtures/throwing/index.ts");
    });
});

describe("npm run plan: output", () => {
    it("--json prints the library's documents, byte for byte (an array for several stacks)", async () => {
        const result = plan("--project-dir", fixture("project"), "--all", "--json");
        expect(result.code).toBe(0);
        expect(result.stdout).toBe(stableJson(await planStacks(["dev", "tenant-b"], { projectDir: fixture("project") })));
        const single = plan("--project-dir", fixture("project"), "--stack", "tenant-b", "--json");
        expect(JSON.parse(single.stdout)).toEqual(JSON.parse(result.stdout)[1]);
    });

    it("--out writes one file per stack and, with --all, removes the file of a stack that is gone", () => {
        const out = mkdtempSync(join(tmpdir(), "plan-out-"));
        try {
            writeFileSync(join(out, "deleted-tenant.json"), JSON.stringify({ stack: "deleted-tenant", project: "supabase-fleet", resources: [] }));
            writeFileSync(join(out, "unrelated.json"), "{}");
            const result = plan("--project-dir", fixture("project"), "--all", "--out", out);
            expect(result.code).toBe(0);
            expect(readdirSync(out).sort()).toEqual(["dev.json", "tenant-b.json", "unrelated.json"]);
            expect(result.stdout).toBe(
                `wrote ${join(out, "dev.json")}\nwrote ${join(out, "tenant-b.json")}\nremoved ${join(out, "deleted-tenant.json")} (its stack no longer exists)\n`,
            );
            const written = JSON.parse(readFileSync(join(out, "tenant-b.json"), "utf8")) as { stack: string };
            expect(written.stack).toBe("tenant-b");
        } finally {
            rmSync(out, { recursive: true, force: true });
        }
    });

    it("prints the desired state for a person: services, containers, masked values, outputs", () => {
        const result = plan("--stack", "dev");
        expect(result.code).toBe(0);
        for (const expected of [
            "Stack dev (project supabase-fleet):",
            "Service db\n  container dev-db\n    image      supabase/postgres:15.8.1.085",
            "    env        JWT_EXP=3600\n               JWT_SECRET=[secret]",
            "Networks\n  dev-network",
            "  dev-db-data",
            "Secrets (generated; values never shown)\n  dev-dashboardPassword (RandomPassword, 24 characters)",
            "  jwtSecret = [secret]",
        ]) {
            expect(result.stdout).toContain(expected);
        }
    });
});
