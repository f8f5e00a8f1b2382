/** The offline comment from two folders of plan snapshots, and the `plan:diff` command. */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parsePlanDiffArgs } from "../../stacks/cli/planDiff.js";
import { loadPlanFolder, PlanFolderError, renderPlanDiffComment, tenantReportFromPlans, type PlanDocument } from "../../stacks/preview/index.js";
import { FIXTURE_DIR } from "../fixtures/preview/generate.js";

const BASE = path.join(FIXTURE_DIR, "plans", "base");
const HEAD = path.join(FIXTURE_DIR, "plans", "head");
const run = promisify(execFile);

describe("plan snapshots of two commits", async () => {
    const base = await loadPlanFolder(BASE);
    const head = await loadPlanFolder(HEAD);
    const comment = renderPlanDiffComment(base, head);

    it("reads every stack of both folders", () => {
        expect([...base.keys()]).toEqual(["acme", "beta", "delta"]);
        expect([...head.keys()]).toEqual(["acme", "beta", "gamma"]);
    });

    it("reports added, removed, changed and unchanged tenants in the same layout as the live preview", () => {
        expect(comment.startsWith("<!-- supabase-fleet-preview -->\n## Fleet plan diff (offline)\n")).toBe(true);
        expect(comment).toContain("**4 tenants · 3 with changes · ⚠️ 3 data-loss risks**");
        expect(comment).toContain("| `acme` | 0 | 1 | 2 | 1 | 4 | ⚠️ 1 data-loss risk |");
        expect(comment).toContain("| `beta` | 0 | 0 | 0 | 0 | 8 | no changes |");
        expect(comment).toContain("| `delta` | 0 | 0 | 0 | 8 | 0 | ⚠️ 2 data-loss risks |");
        expect(comment).toContain("| `gamma` | 8 | 0 | 0 | 0 | 0 | changes |");
        expect(comment).toContain("_new tenant: every resource is created_");
        expect(comment).toContain("_tenant removed from the repository: its stack would be destroyed_");
    });

    it("classifies replace against update as the Docker provider does", () => {
        const acme = tenantReportFromPlans("acme", base.get("acme"), head.get("acme"));
        const byName = [...acme.changes].sort((a, b) => a.name.localeCompare(b.name));
        expect(byName.map((c) => [c.op, c.name, c.replaceReasons.join(",")])).toEqual([
            ["replace", "acme-image-kong", "name"],
            ["replace", "acme-kong", "image"],
            ["update", "acme-meta", ""],
            ["delete", "acme-storage", ""],
        ]);
        expect(comment).toContain("- ✏️ **update** `acme-meta` (Container)\n  - `memory`: `256` → `512`");
        expect(comment).toContain("- 🔄 **replace** `acme-kong` (Container)\n  - replaced because `image` changed\n  - `image`: `kong:2.8.1` → `kong:3.9.1` _(forces replacement)_");
    });

    it("flags data loss the same way as the live renderer", () => {
        expect(comment).toContain("- ⚠️ **acme**: delete `acme-storage` (Volume): deletes data volume `acme-storage`");
        // Deleting the container is not the loss: deleting its volume is.
        expect(comment).not.toContain("- ⚠️ **delta**: delete `delta-db` (Container)");
        expect(comment).toContain("- ⚠️ **delta**: delete `delta-db-data` (Volume): deletes data volume `delta-db-data`");
        expect(comment).toContain("- ⚠️ **delta**: delete `delta-storage` (Volume): deletes data volume `delta-storage`");
    });

    it("treats a volume's ignored labels as no change and a data volume's name change as a risk", () => {
        const volume = (labels: string, name = "acme-db-data"): PlanDocument => ({
            stack: "acme",
            project: "supabase-fleet",
            outputs: {},
            resources: [{ type: "docker:index/volume:Volume", name: "acme-db-data", parent: "acme", dependsOn: [], inputs: { labels: [{ label: "x", value: labels }], name } }],
        });
        expect(tenantReportFromPlans("acme", volume("a"), volume("b")).changes).toEqual([]);
        const renamed = tenantReportFromPlans("acme", volume("a"), volume("a", "acme-db-data2"));
        expect(renamed.changes[0]).toMatchObject({ op: "replace", replaceReasons: ["name"], dataLossRisk: "replaces data volume `acme-db-data`: the new volume starts empty" });
    });

    it("compares env entries by name and keeps masked values hidden", () => {
        const container = (envs: string[]): PlanDocument => ({
            stack: "acme",
            project: "supabase-fleet",
            outputs: {},
            resources: [{ type: "docker:index/container:Container", name: "acme-auth", parent: "acme", dependsOn: [], inputs: { envs, restart: "unless-stopped" } }],
        });
        const report = tenantReportFromPlans(
            "acme",
            container(["API_EXTERNAL_URL=https://a.example", "GOTRUE_JWT_SECRET=[secret]"]),
            container(["API_EXTERNAL_URL=https://b.example", "GOTRUE_JWT_SECRET=[secret]", "SMTP_PASS=[secret]"]),
        );
        expect(report.changes).toEqual([
            {
                op: "replace",
                type: "docker:index/container:Container",
                name: "acme-auth",
                replaceReasons: ["envs"],
                notes: [],
                properties: [
                    { path: "envs[API_EXTERNAL_URL]", kind: "update", forcesReplacement: true, old: { kind: "value", text: "https://a.example" }, new: { kind: "value", text: "https://b.example" } },
                    { path: "envs[SMTP_PASS]", kind: "add", forcesReplacement: true, old: { kind: "absent" }, new: { kind: "secret" } },
                ],
            },
        ]);
    });

    it("reports changed stack outputs by name only", () => {
        const doc = (apiUrl: string): PlanDocument => ({ stack: "acme", project: "supabase-fleet", outputs: { apiUrl, serviceRoleKey: "[secret]" }, resources: [] });
        expect(tenantReportFromPlans("acme", doc("https://a"), doc("https://b")).notes).toEqual(["stack outputs changed: `apiUrl`"]);
    });
});

describe("plan:diff arguments", () => {
    it("accepts two folders and the flags", () => {
        expect(parsePlanDiffArgs(["a", "b", "--out", "c.md", "--max-length", "60000"])).toEqual({ baseDir: "a", headDir: "b", out: "c.md", maxLength: 60000 });
        expect(parsePlanDiffArgs(["--full", "a", "b"])).toEqual({ baseDir: "a", headDir: "b", maxLength: Infinity });
    });

    it("lists every misuse, one per line", () => {
        expect(parsePlanDiffArgs(["a", "--out", "--max-length", "9", "--json"])).toEqual({
            problems: [
                "--out: needs a value",
                '--max-length: must be a whole number from 5000 to 65535, got "9"',
                "--json: unknown flag (allowed: --out, --max-length, --full)",
                "expected exactly two folders, <base-dir> and <head-dir>; got 1",
            ],
        });
    });

    it("names each malformed snapshot file", async () => {
        const dir = await mkdtemp(path.join(tmpdir(), "plan-diff-"));
        await writeFile(path.join(dir, "bad.json"), "{");
        await writeFile(path.join(dir, "odd.json"), JSON.stringify({ stack: "odd", resources: [{ type: "x" }] }));
        const error = await loadPlanFolder(dir).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PlanFolderError);
        expect((error as PlanFolderError).problems).toHaveLength(2);
        expect((error as PlanFolderError).problems[0]).toMatch(/bad\.json: not valid JSON \(/);
        expect((error as PlanFolderError).problems[1]).toBe(`${path.join(dir, "odd.json")}: resources[0] must have string \`type\` and \`name\` and an object \`inputs\``);
    });
});

describe("npm run plan:diff", () => {
    it("writes the comment to --out", async () => {
        const out = path.join(await mkdtemp(path.join(tmpdir(), "plan-diff-")), "comment.md");
        const { stderr } = await run("npx", ["tsx", "stacks/cli/planDiff.ts", BASE, HEAD, "--out", out], { cwd: path.resolve(FIXTURE_DIR, "../../..") });
        expect(stderr).toContain(`plan:diff: wrote ${out} (`);
        const written = await readFile(out, "utf8");
        expect(written).toBe(renderPlanDiffComment(await loadPlanFolder(BASE), await loadPlanFolder(HEAD)));
    });

    it("exits 2 with one line per problem for a missing folder", async () => {
        const error = await run("npx", ["tsx", "stacks/cli/planDiff.ts", "/nonexistent/base", HEAD], { cwd: path.resolve(FIXTURE_DIR, "../../..") }).catch((e: unknown) => e);
        expect((error as { code: number }).code).toBe(2);
        expect((error as { stderr: string }).stderr.split("\n").filter((l) => l.startsWith("plan:diff:"))).toEqual([
            "plan:diff: /nonexistent/base: not a folder (expected a folder of plan snapshots <stack>.json)",
        ]);
    });
});
