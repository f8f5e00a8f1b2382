/**
 * Host stacks (a Docker host's edge proxy, `hosts/Pulumi.<host>.yaml`) in the offline plan and its
 * pull-request comment: `npm run plan -- --all` runs the real program for them under the host project,
 * `--out` writes them to `hosts/<host>.json`, and `plan:diff` reports them apart from the tenants.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { HOST_PROJECT_NAME } from "../../components/hostServices/catalog.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "plan-hosts-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const ROUTE = (ref: string) => ({ ref, hostnames: [`${ref}.tenants.example.com`], maxBodyBytes: 52_428_800 });
const hostFile = (settings: Record<string, string>) =>
    `config:\n${Object.entries(settings).map(([key, value]) => `  supabase-fleet-host:${key}: '${value}'`).join("\n")}\n`;
const EDGE_1 = { dockerHost: "unix:///var/run/docker.sock", baseDomain: "tenants.example.com", tls: "internal", routes: JSON.stringify([ROUTE("acme")]) };

/** A project folder with the repository's program and tenant `acme`, and the given host stack files. */
function project(name: string, hosts: Record<string, string>): string {
    const dir = join(scratch, name);
    mkdirSync(join(dir, "hosts"), { recursive: true });
    for (const file of ["Pulumi.yaml", "Pulumi.acme.yaml"]) copyFileSync(join(repo, file), join(dir, file));
    symlinkSync(join(repo, "index.ts"), join(dir, "index.ts"));
    for (const [host, content] of Object.entries(hosts)) writeFileSync(join(dir, "hosts", `Pulumi.${host}.yaml`), content);
    return dir;
}

function tsx(script: string, ...args: string[]) {
    const result = spawnSync(process.execPath, ["--import", "tsx", join(repo, script), ...args], { cwd: repo, encoding: "utf8", timeout: 120_000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
const plan = (dir: string, out: string) => tsx("stacks/cli/plan.ts", "--project-dir", dir, "--all", "--out", out);

describe("host stacks in the offline plan", () => {
    const base = project("base", { "edge-1": hostFile(EDGE_1) });
    const baseOut = join(scratch, "base-out");
    const planned = plan(base, baseOut);

    it("--all plans every hosts/Pulumi.<host>.yaml under the host project, and --out writes hosts/<host>.json", () => {
        expect(planned.stderr).toBe("");
        expect(planned.code).toBe(0);
        expect(planned.stdout).toBe(`wrote ${join(baseOut, "acme.json")}\nwrote ${join(baseOut, "hosts", "edge-1.json")}\n`);
        const document = JSON.parse(readFileSync(join(baseOut, "hosts", "edge-1.json"), "utf8")) as { stack: string; project: string; resources: { type: string; name: string; inputs: Record<string, any> }[] };
        expect([document.stack, document.project]).toEqual(["edge-1", HOST_PROJECT_NAME]);
        const proxy = document.resources.find((resource) => resource.type === "docker:index/container:Container")!;
        expect(proxy.name).toBe("host-edge-1-edge-proxy");
        expect(proxy.inputs.image).toBe("caddy:2.11.9-alpine");
    });

    it("a host stack's mistake is one line that names its setting, without a stack trace; the other stacks still plan", () => {
        const dir = project("broken", { "edge-1": hostFile(EDGE_1), "edge-2": hostFile({ ...EDGE_1, tls: "sometimes" }) });
        const out = join(scratch, "broken-out");
        const result = plan(dir, out);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain("error: Invalid host stack config (host stack edge-2):\n  - supabase-fleet-host:tls: must be one of acme, internal");
        expect(result.stderr).not.toMatch(/^\s+at /m);
        expect(readdirSync(join(out, "hosts"))).toEqual(["edge-1.json"]);
        expect(existsSync(join(out, "acme.json"))).toBe(true);
    });

    it("with --all, the snapshot of a host stack that is gone is removed; a fleet without host stacks gets no hosts/ folder", () => {
        const gone = project("gone", {});
        const out = join(scratch, "gone-out");
        mkdirSync(join(out, "hosts"), { recursive: true });
        copyFileSync(join(baseOut, "hosts", "edge-1.json"), join(out, "hosts", "edge-1.json"));
        const result = plan(gone, out);
        expect(result.code).toBe(0);
        expect(result.stdout).toContain(`removed ${join(out, "hosts", "edge-1.json")} (its stack no longer exists)`);
        expect(readdirSync(join(out, "hosts"))).toEqual([]);
        const none = join(scratch, "none-out");
        expect(plan(gone, none).code).toBe(0);
        expect(readdirSync(none)).toEqual(["acme.json"]);
    });

    it("plan:diff reports host stacks apart from the tenants: a proxy image change replaces the proxy, a new host stack creates everything", () => {
        const head = project("head", {
            "edge-1": hostFile({ ...EDGE_1, proxyImage: "caddy:2.12.0-alpine", routes: JSON.stringify([ROUTE("acme"), ROUTE("globex")]) }),
            "edge-2": hostFile({ ...EDGE_1, baseDomain: "eu.example.com" }),
        });
        const headOut = join(scratch, "head-out");
        expect(plan(head, headOut).code).toBe(0);
        const diff = tsx("stacks/cli/planDiff.ts", baseOut, headOut, "--full");
        expect(diff.stderr).toBe("");
        expect(diff.code).toBe(0);
        const comment = diff.stdout;
        expect(comment).toContain("**1 tenant and 2 host stacks · 2 with changes**");
        expect(comment).toContain("| Stack | Creates | Updates | Replaces | Deletes | Unchanged | Status |");
        expect(comment).toContain("| `acme` | 0 | 0 | 0 | 0 | 48 | no changes |");
        expect(comment).toMatch(/\| `hosts\/edge-1` \| 0 \| 0 \| 3 \| 0 \| \d+ \| changes \|/);
        expect(comment).toContain("- 🔄 **replace** `host-edge-1-edge-proxy` (Container)");
        expect(comment).toContain("`image`: `caddy:2.11.9-alpine` → `caddy:2.12.0-alpine` _(forces replacement)_");
        expect(comment).toContain("### Changes per stack");
        expect(comment).toContain("_new host stack: every resource is created_");
    });
});
