/**
 * Guard: the committed plan of every stack (snapshots/<stack>.json, and snapshots/hosts/<host>.json
 * of every host stack) matches what the program plans now. A change to a tenant's config or to the component must come with refreshed snapshots, so a
 * pull request shows its effect on every tenant in the diff of those files.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { stableJson, type PlanDocument } from "../../stacks/plan/document.js";
import { HOST_PROJECT_NAME } from "../../components/hostServices/catalog.js";
import { listHostStacks, listStacks, planStacks } from "../../stacks/plan/runPlan.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const snapshotDir = join(repo, "snapshots");
const REFRESH = "run `npm run plan -- --all --out snapshots` to refresh the snapshots, then review and commit their diff";

const stacks = listStacks(repo);
/** Host stacks (hosts/Pulumi.<host>.yaml) have theirs in snapshots/hosts/. */
const hostStacks = listHostStacks(repo);
let planned: PlanDocument[];

beforeAll(async () => {
    planned = await planStacks(stacks, { projectDir: repo, hostStacks });
});

const jsonNames = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((file) => file.endsWith(".json")).map((file) => file.slice(0, -".json".length)).sort() : []);

describe("committed plan snapshots", () => {
    it("exist for exactly the stacks and host stacks of the repo (at least dev and one more tenant)", () => {
        expect(stacks.length).toBeGreaterThanOrEqual(2);
        expect(stacks).toContain("dev");
        expect(jsonNames(snapshotDir), `snapshots/ does not list the same stacks as the Pulumi.<stack>.yaml files: ${REFRESH}`).toEqual(stacks);
        expect(jsonNames(join(snapshotDir, "hosts")), `snapshots/hosts/ does not list the same host stacks as the hosts/Pulumi.<host>.yaml files: ${REFRESH}`).toEqual(hostStacks);
        // A host stack's snapshot matches its plan (the repository's fleet may have none).
        for (const host of hostStacks) {
            const path = join(snapshotDir, "hosts", `${host}.json`);
            const committed = existsSync(path) ? readFileSync(path, "utf8") : "(missing)";
            const current = stableJson(planned.find((document) => document.project === HOST_PROJECT_NAME && document.stack === host));
            expect(committed, `snapshots/hosts/${host}.json no longer matches the plan of host stack ${host}: ${REFRESH}`).toBe(current);
        }
    });

    it.each(stacks)("snapshots/%s.json matches the program's plan", (stack) => {
        const path = join(snapshotDir, `${stack}.json`);
        const committed = existsSync(path) ? readFileSync(path, "utf8") : "(missing)";
        const current = stableJson(planned.find((document) => document.project !== HOST_PROJECT_NAME && document.stack === stack));
        expect(committed, `snapshots/${stack}.json no longer matches the plan of stack ${stack}: ${REFRESH}`).toBe(current);
    });
});
