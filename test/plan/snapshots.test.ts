/**
 * Guard: the committed plan of every stack (snapshots/<stack>.json) matches what the program plans
 * now. A change to a tenant's config or to the component must come with refreshed snapshots, so a
 * pull request shows its effect on every tenant in the diff of those files.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { stableJson, type PlanDocument } from "../../stacks/plan/document.js";
import { listStacks, planStacks } from "../../stacks/plan/runPlan.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const snapshotDir = join(repo, "snapshots");
const REFRESH = "run `npm run plan -- --all --out snapshots` to refresh the snapshots, then review and commit their diff";

const stacks = listStacks(repo);
let planned: PlanDocument[];

beforeAll(async () => {
    planned = await planStacks(stacks, { projectDir: repo });
});

describe("committed plan snapshots", () => {
    it("exist for exactly the stacks of the repo (at least dev and one more tenant)", () => {
        expect(stacks.length).toBeGreaterThanOrEqual(2);
        expect(stacks).toContain("dev");
        const snapshotStacks = existsSync(snapshotDir) ? readdirSync(snapshotDir).filter((file) => file.endsWith(".json")).map((file) => file.slice(0, -".json".length)).sort() : [];
        expect(snapshotStacks, `snapshots/ does not list the same stacks as the Pulumi.<stack>.yaml files: ${REFRESH}`).toEqual(stacks);
    });

    it.each(stacks)("snapshots/%s.json matches the program's plan", (stack) => {
        const path = join(snapshotDir, `${stack}.json`);
        const committed = existsSync(path) ? readFileSync(path, "utf8") : "(missing)";
        const current = stableJson(planned.find((document) => document.stack === stack));
        expect(committed, `snapshots/${stack}.json no longer matches the plan of stack ${stack}: ${REFRESH}`).toBe(current);
    });
});
