/**
 * The offline plan of the repository's stacks shows each tenant's release, and runs each on its own
 * release's images: dev is pinned to feb-2026 in its stack file, acme sets no release (feb-2026),
 * nova was created on 0.8.2 with its gateway for new tenants, Envoy.
 */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { SERVICE_NAMES, type ServiceName } from "../../components/catalog.js";
import { RELEASES, serviceImage, type GatewayName, type ReleaseName } from "../../components/releases.js";
import type { PlanDocument } from "../../stacks/plan/document.js";
import { renderPlan } from "../../stacks/plan/render.js";
import { planStacks } from "../../stacks/plan/runPlan.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const CONTAINER = "docker:index/container:Container";
const EXPECTED: Record<string, ReleaseName> = { acme: "feb-2026", dev: "feb-2026", nova: "0.8.2" };
const GATEWAY: Record<string, GatewayName> = { acme: "kong", dev: "kong", nova: "envoy" };

let plans: PlanDocument[];
beforeAll(async () => {
    plans = await planStacks(Object.keys(EXPECTED), { projectDir: repo });
});

describe("the plan per release", () => {
    it("names each stack's release in its outputs and on the first line of its text", () => {
        for (const plan of plans) {
            const release = EXPECTED[plan.stack]!;
            expect(plan.outputs.release, plan.stack).toBe(release);
            expect(renderPlan(plan).split("\n")[0]).toMatch(new RegExp(`^Stack ${plan.stack} \\(project supabase-fleet\\): \\d+ resources, release ${release.replace(".", "\\.")}$`));
        }
    });

    it("runs every container on its release's image, the gateway slot on the stack's gateway (acme overrides none)", () => {
        for (const plan of plans) {
            const release = RELEASES[EXPECTED[plan.stack]!];
            for (const container of plan.resources.filter((resource) => resource.type === CONTAINER)) {
                const service = String(container.inputs.name).slice(plan.stack.length + 1) as ServiceName;
                expect(SERVICE_NAMES).toContain(service);
                expect(container.inputs.image, container.name).toBe(serviceImage(release, service, undefined, release.postgresMajor, GATEWAY[plan.stack]));
            }
        }
    });
});
