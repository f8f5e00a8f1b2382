/**
 * The pull-request comment names each tenant's release and puts a change of release at the top, from
 * offline plan snapshots and from live previews alike.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadPlanFolder, renderComment, renderFleetPreviewComment, renderPlanDiffComment, tenantReportFromPlans, type PlanDocument } from "../../stacks/preview/index.js";

const plan = (stack: string, release?: string, image = "supabase/postgres:15.8.1.085"): PlanDocument => ({
    stack,
    project: "supabase-fleet",
    outputs: release ? { release } : {},
    resources: [{ type: "docker:index/container:Container", name: `${stack}-db`, parent: stack, dependsOn: [], inputs: { image } }],
});

describe("release in the plan-diff report", () => {
    it("a change of the release output is a release change", () => {
        const report = tenantReportFromPlans("acme", plan("acme", "feb-2026"), plan("acme", "0.8.2", "supabase/postgres:17.6.1.136"));
        expect([report.release, report.previousRelease]).toEqual(["0.8.2", "feb-2026"]);
    });

    it("a base snapshot made before releases existed ran feb-2026: no change if the head says so", () => {
        expect(tenantReportFromPlans("acme", plan("acme"), plan("acme", "feb-2026")).previousRelease).toBeUndefined();
        expect(tenantReportFromPlans("acme", plan("acme"), plan("acme", "0.8.2")).previousRelease).toBe("feb-2026");
    });

    it("a new tenant has a release and no previous one", () => {
        const report = tenantReportFromPlans("nova", undefined, plan("nova", "0.8.2"));
        expect([report.release, report.previousRelease]).toEqual(["0.8.2", undefined]);
    });
});

describe("release in the comment", () => {
    it("lists release changes first and every tenant's release under the summary and in its section", () => {
        const base = new Map([["acme", plan("acme", "feb-2026")], ["dev", plan("dev", "feb-2026")]]);
        const head = new Map([["acme", plan("acme", "0.8.2", "supabase/postgres:17.6.1.136")], ["dev", plan("dev", "feb-2026")]]);
        const comment = renderPlanDiffComment(base, head);
        expect(comment).toContain("### 🔁 Release changes (1)");
        expect(comment).toContain("- 🔁 **acme**: release `feb-2026` → `0.8.2`");
        expect(comment.indexOf("Release changes")).toBeLessThan(comment.indexOf("### Summary"));
        expect(comment).toContain("**Releases** · `0.8.2`: `acme` · `feb-2026`: `dev`");
        expect(comment).toContain("<summary><b>acme</b>: 1 to replace</summary>\n\n_Release `feb-2026` → `0.8.2`_");
    });

    it("shows the release of every committed snapshot", async () => {
        const snapshots = await loadPlanFolder(fileURLToPath(new URL("../../snapshots/", import.meta.url)));
        const comment = renderPlanDiffComment(snapshots, snapshots);
        expect(comment).toContain("**Releases** · `0.8.2`: `nova` · `feb-2026`: `acme`, `dev`");
        expect(comment).not.toContain("Release changes");
    });

    it("counts tenants per release once the table is cut", () => {
        const reports = Array.from({ length: 300 }, (_, i) => ({ ref: `tenant-${i}`, status: "ok" as const, changes: [], notes: [], release: i < 100 ? "0.8.2" : "feb-2026" }));
        // Too small a limit for a row per tenant.
        const comment = renderComment(reports, { maxLength: 6_000 });
        expect(comment).toContain("**Releases** · `0.8.2`: 100 tenants · `feb-2026`: 200 tenants");
        expect(comment.length).toBeLessThanOrEqual(6_000);
    });

    it("takes a live preview's release from what the fleet read in the stack config", () => {
        const comment = renderFleetPreviewComment([{ ref: "acme", status: "ok", events: [], release: "feb-2026" }]);
        expect(comment).toContain("**Releases** · `feb-2026`: `acme`");
    });
});
