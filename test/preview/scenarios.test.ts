/**
 * The fleet preview comment rendered from fixture files in Pulumi's own shapes (engine event logs and
 * `pulumi preview --json` documents), one scenario each.
 */
import { describe, expect, it } from "vitest";
import { COMMENT_MARKER, renderFleetPreviewComment, tenantReportFromPreview } from "../../stacks/preview/index.js";
import { loadScenario } from "./scenarios.js";

const TABLE_HEADER = "| Tenant | Creates | Updates | Replaces | Deletes | Unchanged | Status |";

describe("no changes", () => {
    const comment = renderFleetPreviewComment(loadScenario("no-changes"));

    it("starts with the marker and lists every tenant as unchanged", () => {
        expect(comment.startsWith(`${COMMENT_MARKER}\n## Fleet preview\n`)).toBe(true);
        expect(comment).toContain("**2 tenants · 0 with changes**");
        expect(comment).toContain("| `acme` | 0 | 0 | 0 | 0 | 6 | no changes |");
        expect(comment).toContain("| `beta` | 0 | 0 | 0 | 0 | 6 | no changes |");
        expect(comment).toContain("| **All 2** | 0 | 0 | 0 | 0 | 12 | |");
        expect(comment).toContain("No changes in 2 tenants: `acme`, `beta`.");
    });

    it("has no risk, failure or per-tenant section", () => {
        expect(comment).not.toContain("Data-loss risks");
        expect(comment).not.toContain("Failed previews");
        expect(comment).not.toContain("<details>");
        expect(comment).not.toContain("Truncated");
    });
});

describe("an image bump on every tenant (pulumi preview --json documents)", () => {
    const tenants = loadScenario("image-bump");
    const comment = renderFleetPreviewComment(tenants);

    it("counts two replacements per tenant from the change summary", () => {
        for (const ref of ["acme", "beta", "gamma"]) expect(comment).toContain(`| \`${ref}\` | 0 | 0 | 2 | 0 | 6 | changes |`);
        expect(comment).toContain("| **All 3** | 0 | 0 | 6 | 0 | 18 | |");
    });

    it("shows one collapsible section per tenant with the image change and why it replaces", () => {
        expect(comment.match(/<details>/g)).toHaveLength(3);
        expect(comment).toContain("<summary><b>beta</b>: 2 to replace</summary>");
        expect(comment).toContain(
            "- 🔄 **replace** `beta-kong` (Container)\n  - replaced because `image` changed\n  - `image`: `kong:2.8.1` → `kong:3.9.1` _(forces replacement)_",
        );
        expect(comment).toContain("- 🔄 **replace** `gamma-image-kong` (RemoteImage)\n  - replaced because `name` changed");
    });

    it("flags nothing: kong mounts no data volume", () => {
        expect(comment).not.toContain("data-loss");
    });

    it("sorts tenants by ref", () => {
        const order = ["acme", "beta", "gamma"].map((ref) => comment.indexOf(`<summary><b>${ref}</b>`));
        expect(order).toEqual([...order].sort((a, b) => a - b));
        expect(order[0]).toBeGreaterThan(comment.indexOf(TABLE_HEADER));
    });
});

describe("a config change on one tenant (engine events)", () => {
    const comment = renderFleetPreviewComment(loadScenario("config-change"));

    it("reports the changed tenant and the unchanged one", () => {
        expect(comment).toContain("**2 tenants · 1 with changes**");
        expect(comment).toContain("| `acme` | 0 | 1 | 2 | 0 | 2 | changes |");
        expect(comment).toContain("| `beta` | 0 | 0 | 0 | 0 | 6 | no changes |");
        expect(comment).toContain("No changes in 1 tenant: `beta`.");
    });

    it("compares env lists by variable name, with values", () => {
        expect(comment).toContain(
            "- 🔄 **replace** `acme-rest` (Container)\n  - replaced because `envs` changed\n" +
                "  - `envs[PGRST_DB_MAX_ROWS]`: added `500` _(forces replacement)_\n" +
                "  - `envs[PGRST_DB_SCHEMAS]`: `public,storage` → `public,storage,graphql_public` _(forces replacement)_",
        );
    });

    it("names a secret property without its value", () => {
        expect(comment).toContain("- 🔄 **replace** `acme-auth` (Container)\n  - replaced because `envs` changed\n  - `envs`: changed (secret value hidden) _(forces replacement)_");
        expect(comment).not.toContain("1b47061264138c4ac30d75fd1eb44270");
    });

    it("lists replacements before in-place updates", () => {
        expect(comment.indexOf("**Replacements and deletions**")).toBeLessThan(comment.indexOf("**Other changes**"));
        expect(comment).toContain("**Other changes**\n\n- ✏️ **update** `acme-meta` (Container)\n  - `memory`: `256` → `512`\n");
    });
});

describe("a replaced container that mounts data volumes", () => {
    const comment = renderFleetPreviewComment(loadScenario("replaced-container"));

    it("is not a data-loss risk: the named volumes are separate resources and stay", () => {
        expect(comment).toContain("**1 tenant · 1 with changes**");
        expect(comment).not.toContain("data-loss");
        expect(comment).not.toContain("⚠️");
        expect(comment).toContain("| `acme` | 0 | 0 | 2 | 0 | 6 | changes |");
    });

    it("lists the replacement with its reason", () => {
        expect(comment).toContain(
            "**Replacements and deletions**\n\n- 🔄 **replace** `acme-db` (Container)\n" +
                "  - replaced because `image` changed\n" +
                "  - `image`: `supabase/postgres:15.8.1.060` → `supabase/postgres:15.8.1.085` _(forces replacement)_\n",
        );
        expect(comment).toContain("- 🔄 **replace** `acme-image-db` (RemoteImage)");
    });

    it("folds delete-replaced, replace and create-replacement into one change", () => {
        const report = tenantReportFromPreview(loadScenario("replaced-container")[0]!);
        expect(report.changes.map((c) => `${c.op} ${c.name}`).sort()).toEqual(["replace acme-db", "replace acme-image-db"]);
    });
});

describe("a deleted volume", () => {
    const comment = renderFleetPreviewComment(loadScenario("deleted-volume"));

    it("flags the data volume, not the container that loses its mount nor the cache volume", () => {
        expect(comment).toContain("### ⚠️ Data-loss risks (1)");
        expect(comment).toContain("- ⚠️ **acme**: delete `acme-storage` (Volume): deletes data volume `acme-storage`");
        expect(comment).toContain("- 🔄 **replace** `acme-storage` (Container)\n");
        expect(comment).toContain("- 🗑️ **delete** `acme-deno-cache` (Volume)\n");
        expect(comment).not.toContain("data volume `acme-deno-cache`");
        expect(comment).toContain("| `acme` | 0 | 0 | 1 | 2 | 3 | ⚠️ 1 data-loss risk |");
    });

    it("shows the removed mount", () => {
        expect(comment).toContain('  - `volumes[0]`: removed (was `{"containerPath":"/var/lib/storage","readOnly":false,"volumeName":"acme-storage…`) _(forces replacement)_');
    });
});

describe("a failed tenant", () => {
    const tenants = loadScenario("failed-tenant");
    const comment = renderFleetPreviewComment(tenants);

    it("lists the failure with its error and still reports the other tenant", () => {
        expect(comment).toContain("**2 tenants · 1 with changes · ❌ 1 failed**");
        expect(comment).toContain(
            "- **beta**\n  ```text\n  preview of beta failed: Cannot connect to the Docker daemon at ssh://deploy@host-b.example: connection refused\n  ```",
        );
        expect(comment).toContain("| `beta` | – | – | – | – | – | ❌ failed |");
        expect(comment).toContain("<summary><b>acme</b>: 2 to replace</summary>");
        expect(comment.indexOf("### ❌ Failed previews (1)")).toBeLessThan(comment.indexOf(TABLE_HEADER));
    });

    it("falls back to the engine's error diagnostics when the fleet gave no message", () => {
        const beta = { ...tenants.find((t) => t.ref === "beta")! };
        delete beta.error;
        const report = tenantReportFromPreview(beta);
        expect(report.status).toBe("failed");
        expect(report.error).toBe("error: Cannot connect to the Docker daemon at ssh://deploy@host-b.example: connection refused");
    });
});
