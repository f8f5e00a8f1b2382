/**
 * Stacks planned together: one ref per tenant in the project, one published port per Docker host.
 * The rule on configs, then through `npm run plan` on a copy of the fixture project with clashing files.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { crossStackProblems } from "../../stacks/plan/crossStack.js";

const stack = (name: string, settings: Record<string, string>) => ({
    stack: name,
    secretKeys: [],
    config: Object.fromEntries(Object.entries(settings).map(([key, value]) => [`supabase-fleet:${key}`, value])),
});
const OWN_PORTS = { kongHttpPort: "8100", kongHttpsPort: "8543", postgresPort: "5442", poolerTransactionPort: "6553" };

describe("rules across stacks", () => {
    it("accepts tenants with their own refs and ports, and equal ports on different Docker hosts", () => {
        expect(crossStackProblems([stack("dev", {}), stack("acme", OWN_PORTS), stack("beta", { dockerHost: "ssh://deploy@edge-2" })])).toEqual([]);
    });

    it("counts one stack planned twice as one tenant", () => {
        expect(crossStackProblems([stack("dev", {}), stack("dev", {})])).toEqual([]);
    });

    it("refuses a ref used twice, on the later stack, naming the setting", () => {
        expect(crossStackProblems([stack("acme", {}), stack("acme-copy", { ...OWN_PORTS, ref: "acme" })])).toEqual([
            { stack: "acme-copy", message: 'stack acme-copy: supabase-fleet:ref "acme" is already the ref of stack acme; a ref names every Docker object of a tenant and must be unique in the project' },
        ]);
    });

    it("refuses a published port another stack on the same Docker host publishes, defaults included, whatever the setting", () => {
        const problems = crossStackProblems([stack("dev", {}), stack("acme", { ...OWN_PORTS, postgresPort: "8000" }), stack("beta", { kongHttpPort: "8101" })]);
        expect(problems.map((p) => p.message)).toEqual([
            "stack acme: supabase-fleet:postgresPort 8000 is already supabase-fleet:kongHttpPort of stack dev on Docker host unix:///var/run/docker.sock; give each tenant on a host its own ports (fleet create allocates free ones)",
            "stack beta: supabase-fleet:kongHttpsPort 8443 is already supabase-fleet:kongHttpsPort of stack dev on Docker host unix:///var/run/docker.sock; give each tenant on a host its own ports (fleet create allocates free ones)",
            "stack beta: supabase-fleet:postgresPort 5432 is already supabase-fleet:postgresPort of stack dev on Docker host unix:///var/run/docker.sock; give each tenant on a host its own ports (fleet create allocates free ones)",
            "stack beta: supabase-fleet:poolerTransactionPort 6543 is already supabase-fleet:poolerTransactionPort of stack dev on Docker host unix:///var/run/docker.sock; give each tenant on a host its own ports (fleet create allocates free ones)",
        ]);
    });
});

describe("npm run plan --all with clashing stack files", () => {
    it("plans the first stack, fails the one that clashes with one line per clash, exit 1", () => {
        // Next to the fixture, so that its program's relative imports of the real validator resolve.
        const project = mkdtempSync(fileURLToPath(new URL("./fixtures/clash-", import.meta.url)));
        try {
            cpSync(fileURLToPath(new URL("./fixtures/project", import.meta.url)), project, { recursive: true });
            writeFileSync(join(project, "Pulumi.tenant-c.yaml"), "config:\n  supabase-fleet:ref: tenant-b\n  supabase-fleet:kongHttpPort: 8100\n  supabase-fleet:authEmailAutoconfirm: true\n");
            const repo = fileURLToPath(new URL("../../", import.meta.url));
            const result = spawnSync(process.execPath, ["--import", "tsx", join(repo, "stacks/cli/plan.ts"), "--project-dir", project, "--all", "--json"], { cwd: repo, encoding: "utf8", timeout: 60_000 });
            expect(result.status).toBe(1);
            expect(JSON.parse(result.stdout).map((document: { stack: string }) => document.stack)).toEqual(["dev", "tenant-b"]);
            const lines = result.stderr.trimEnd().split("\n");
            expect(lines[0]).toBe('error: stack tenant-c: supabase-fleet:ref "tenant-b" is already the ref of stack tenant-b; a ref names every Docker object of a tenant and must be unique in the project');
            expect(lines.slice(1)).toContain("stack tenant-c: supabase-fleet:kongHttpPort 8100 is already supabase-fleet:kongHttpPort of stack tenant-b on Docker host unix:///var/run/docker.sock; give each tenant on a host its own ports (fleet create allocates free ones)");
            expect(result.stderr).not.toMatch(/^\s+at /m);
        } finally {
            rmSync(project, { recursive: true, force: true });
        }
    });
});
