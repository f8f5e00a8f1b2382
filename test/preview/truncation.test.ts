/**
 * An oversized fleet: 150 tenants cloned from the fixture builders (committing megabytes of events would
 * help nobody). The comment must stay under GitHub's limit and keep the summary and every risk.
 */
import { describe, expect, it } from "vitest";
import {
    GITHUB_COMMENT_LIMIT,
    renderFleetPreviewComment,
    riskLine,
    tenantReportFromPreview,
    type TenantPreview,
} from "../../stacks/preview/index.js";
import { configChangeSteps, deletedVolumeSteps, imageBumpSteps, previewEvents } from "../fixtures/preview/generate.js";

const TENANTS = 150;
const refs = Array.from({ length: TENANTS }, (_, i) => `tenant-${String(i).padStart(3, "0")}`);

/** Every tenth tenant deletes its storage volume (a risk); the others change config and kong. */
function oversizedFleet(): TenantPreview[] {
    return refs.map((ref, i) => {
        const steps = i % 10 === 0 ? deletedVolumeSteps(ref) : [...configChangeSteps(ref), ...imageBumpSteps(ref).slice(-2)];
        return { ref, status: "ok", events: previewEvents(ref, steps) as never };
    });
}

describe("an oversized fleet", () => {
    const fleet = oversizedFleet();
    // Reversed input: order must not depend on how the fleet hands tenants over.
    const comment = renderFleetPreviewComment([...fleet].reverse());
    const untruncated = renderFleetPreviewComment(fleet, { maxLength: Infinity });

    it("would not fit in one comment untruncated", () => {
        expect(untruncated.length).toBeGreaterThan(2 * GITHUB_COMMENT_LIMIT);
        expect(untruncated).not.toContain("✂️ **Truncated:**");
        for (const ref of refs) expect(untruncated).toContain(`<summary><b>${ref}</b>`);
    });

    it("stays under GitHub's 65,536-character limit", () => {
        expect(comment.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
        expect(comment.length).toBeLessThanOrEqual(65_000);
    });

    it("keeps every risk line", () => {
        const risky = fleet.filter((_, i) => i % 10 === 0).map(tenantReportFromPreview);
        expect(risky).toHaveLength(15);
        for (const report of risky) {
            const risks = report.changes.filter((c) => c.dataLossRisk);
            expect(risks).toHaveLength(1);
            expect(comment).toContain(riskLine(report.ref, risks[0]!));
        }
        expect(comment).toContain("### ⚠️ Data-loss risks (15)");
    });

    it("keeps a summary row for every tenant", () => {
        for (const [i, ref] of refs.entries()) {
            const row = i % 10 === 0 ? `| \`${ref}\` | 0 | 0 | 1 | 2 | 3 | ⚠️ 1 data-loss risk |` : `| \`${ref}\` | 0 | 1 | 4 | 0 | 2 | changes |`;
            expect(comment).toContain(row);
        }
        expect(comment).toContain(`| **All ${TENANTS}** | 0 | 135 | 555 | 30 | 315 | |`);
    });

    it("gives the details of risky tenants first and says what was cut", () => {
        expect(comment).toContain("<summary><b>tenant-000</b>: 1 to replace, 2 to delete · ⚠️ 1 data-loss risk</summary>");
        expect(comment).toContain("<summary><b>tenant-140</b>: 1 to replace, 2 to delete · ⚠️ 1 data-loss risk</summary>");
        const notice = comment.slice(comment.indexOf("✂️ **Truncated:**"));
        expect(notice).toMatch(
            /^✂️ \*\*Truncated:\*\* GitHub limits a comment to 65,536 characters, so this one was cut\. Details of \d+ tenants were left out: `tenant-\d{3}`(, `tenant-\d{3}`){9} and \d+ more\./,
        );
        expect(notice).toContain(
            "The summary, the failures and every data-loss risk above are complete. Run `npm run fleet -- preview --all` for the full output, or read the workflow log.",
        );
        expect(comment.trimEnd().endsWith("or read the workflow log.")).toBe(true);
    });

    it("names in the notice exactly the tenants whose details are missing", () => {
        const shown = refs.filter((ref) => comment.includes(`<summary><b>${ref}</b>`));
        const missing = refs.filter((ref) => !shown.includes(ref));
        expect(missing.length).toBeGreaterThan(0);
        expect(comment).toContain(`Details of ${missing.length} tenants were left out: ${missing.slice(0, 10).map((r) => `\`${r}\``).join(", ")} and ${missing.length - 10} more.`);
    });

    it("drops table rows of unchanged tenants before it drops risks when the head alone is too big", () => {
        const many = Array.from({ length: 3000 }, (_, i): TenantPreview => ({ ref: `quiet-${String(i).padStart(4, "0")}`, status: "ok", summary: { same: 40 } }));
        const loud = fleet.slice(0, 1);
        const text = renderFleetPreviewComment([...many, ...loud]);
        expect(text.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
        expect(text).toContain("_Tenants without changes are left out of this table to save space._");
        expect(text).toContain("| `tenant-000` | 0 | 0 | 1 | 2 | 3 | ⚠️ 1 data-loss risk |");
        expect(text).not.toContain("| `quiet-0000` |");
        // The names-only list is far shorter than 3000 table rows, so it still fits.
        expect(text).toContain("No changes in 3000 tenants: `quiet-0000`, `quiet-0001`,");
        expect(text).toContain("The summary table lists only tenants with changes.");
    });
});
