/** The two live adapters agree, secrets never leak, and the small readers behave. */
import type { EngineEvent } from "@pulumi/pulumi/automation/index.js";
import { describe, expect, it } from "vitest";
import type { StackPreview } from "../../stacks/fleet/engine.js";
import { dataLossRisk, isDataVolumeName, renderFleetPreviewComment, tenantReportFromPreview, type TenantPreview } from "../../stacks/preview/index.js";
import { parsePropertyPath } from "../../stacks/preview/values.js";
import { configChangeSteps, containerInputs, deletedVolumeSteps, imageBumpSteps, previewEvents, previewJson, replacedContainerSteps, type StepSpec } from "../fixtures/preview/generate.js";

const events = (ref: string, steps: StepSpec[]) => previewEvents(ref, steps) as unknown as EngineEvent[];

describe("engine events and pulumi preview --json", () => {
    for (const [name, build] of Object.entries({ imageBumpSteps, configChangeSteps, replacedContainerSteps, deletedVolumeSteps })) {
        it(`give the same report for ${name}`, () => {
            const fromEvents = tenantReportFromPreview({ ref: "acme", status: "ok", events: events("acme", build("acme")) });
            const fromJson = tenantReportFromPreview({ ref: "acme", status: "ok", previewJson: previewJson("acme", build("acme")) });
            expect(fromEvents.changes.length).toBeGreaterThan(0);
            expect(fromJson).toEqual(fromEvents);
        });
    }

    it("takes the fleet's StackPreview as it is", () => {
        const stackPreview: StackPreview = { ref: "acme", changeSummary: { same: 9, replace: 2 }, steps: [], events: events("acme", imageBumpSteps("acme")), durationMs: 1 };
        const tenant: TenantPreview = { ref: stackPreview.ref, status: "ok", events: stackPreview.events, summary: stackPreview.changeSummary };
        expect(tenantReportFromPreview(tenant).counts).toEqual({ create: 0, update: 0, replace: 2, delete: 0, same: 9 });
    });

    it("counts from the steps when no change summary exists", () => {
        const withoutSummary = events("acme", imageBumpSteps("acme")).filter((e) => !e.summaryEvent);
        expect(tenantReportFromPreview({ ref: "acme", status: "ok", events: withoutSummary }).counts).toEqual({ create: 0, update: 0, replace: 2, delete: 0, same: 6 });
    });
});

describe("secrets", () => {
    const secretWithPlaintext = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", plaintext: '["JWT_SECRET=hunter1-plain"]' };
    const old = containerInputs("acme", "rest", {
        envs: ["PGRST_DB_URI=postgres://authenticator:hunter2@acme-db:5432/postgres", "POSTGRES_PASSWORD=hunter3", "PGRST_DB_SCHEMAS=public"],
        command: secretWithPlaintext,
        labels: "[secret]",
    });
    const steps: StepSpec[] = [
        {
            op: "replace",
            type: "docker:index/container:Container",
            name: "acme-rest",
            old,
            new: {
                ...old,
                envs: ["PGRST_DB_URI=postgres://authenticator:hunter4@acme-db:5432/postgres", "POSTGRES_PASSWORD=hunter5", "PGRST_DB_SCHEMAS=public,api"],
                command: { ...secretWithPlaintext, plaintext: '["JWT_SECRET=hunter6-plain"]' },
                labels: "[secret]",
                image: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
            },
            detailedDiff: { "envs[0]": "update-replace", "envs[1]": "update-replace", "envs[2]": "update-replace", "command[0]": "update-replace", "labels[1].value": "update-replace", image: "update-replace" },
        },
    ];
    const comment = renderFleetPreviewComment([
        { ref: "acme", status: "ok", events: events("acme", steps) },
        { ref: "beta", status: "ok", previewJson: previewJson("beta", steps) },
    ]);

    it("never prints a secret value, marked or recognisable", () => {
        for (const secret of ["hunter1", "hunter2", "hunter3", "hunter4", "hunter5", "hunter6", "1b47061264138c4ac30d75fd1eb44270"]) expect(comment).not.toContain(secret);
    });

    it("names the changed secret properties and prints the ordinary values", () => {
        expect(comment).toContain("  - `command`: changed (secret value hidden) _(forces replacement)_");
        expect(comment).toContain("  - `labels`: changed (secret value hidden) _(forces replacement)_");
        expect(comment).toContain("  - `envs[POSTGRES_PASSWORD]`: changed (secret value hidden) _(forces replacement)_");
        expect(comment).toContain("  - `envs[PGRST_DB_URI]`: changed (secret value hidden) _(forces replacement)_");
        expect(comment).toContain("  - `envs[PGRST_DB_SCHEMAS]`: `public` → `public,api` _(forces replacement)_");
        expect(comment).toContain("  - `image`: `supabase/rest:v1.0.0` → _(known after apply)_ _(forces replacement)_");
    });
});

describe("failure messages", () => {
    it("hide passwords in URLs and keep to a bounded size", () => {
        const error = `connection to postgres://supabase_admin:hunter7@10.0.0.5:5432/postgres failed\n${"stack line\n".repeat(40)}`;
        const comment = renderFleetPreviewComment([{ ref: "acme", status: "failed", error }]);
        expect(comment).not.toContain("hunter7");
        expect(comment).toContain("  connection to postgres://supabase_admin:***@10.0.0.5:5432/postgres failed\n");
        expect(comment).toContain("  … (cut; the full message is in the workflow log)\n  ```");
    });
});

describe("data-loss rules", () => {
    it("knows which volumes hold data", () => {
        expect(["acme-db-data", "acme-db-config", "acme-storage", "acme-functions", "acme-studio-snippets"].every(isDataVolumeName)).toBe(true);
        expect(["acme-deno-cache", "db-data", "acme-network", "acme-db"].some(isDataVolumeName)).toBe(false);
    });

    it("flags only replacements and deletions", () => {
        const volume = { type: "docker:index/volume:Volume", name: "acme-db-data" };
        expect(dataLossRisk({ ...volume, op: "update" })).toBeUndefined();
        expect(dataLossRisk({ ...volume, op: "create" })).toBeUndefined();
        expect(dataLossRisk({ ...volume, op: "replace" })).toBe("replaces data volume `acme-db-data`: the new volume starts empty");
        expect(dataLossRisk({ ...volume, op: "delete" })).toBe("deletes data volume `acme-db-data`");
    });

    it("says when retainOnDelete keeps a deleted data volume on the host", () => {
        const steps = deletedVolumeSteps("acme").map((s) => (s.name === "acme-storage" && s.op === "delete" ? { ...s, retainOnDelete: true } : s));
        const report = tenantReportFromPreview({ ref: "acme", status: "ok", events: events("acme", steps) });
        const volume = report.changes.find((c) => c.name === "acme-storage" && c.op === "delete")!;
        expect(volume.dataLossRisk).toBe("deletes data volume `acme-storage`; retainOnDelete leaves the old volume and its data on the host, outside Pulumi");
        expect(volume.notes).toEqual([]);
    });

    it("does not flag replacing or deleting a container: its named data volumes are separate resources and stay", () => {
        const container = { type: "docker:index/container:Container", name: "acme-db", oldInputs: { volumes: [{ containerPath: "/var/lib/postgresql/data", volumeName: "acme-db-data" }] } };
        expect(dataLossRisk({ ...container, op: "replace" })).toBeUndefined();
        expect(dataLossRisk({ ...container, op: "delete" })).toBeUndefined();
        expect(dataLossRisk({ op: "replace", type: "docker:index/volume:Volume", name: "acme-deno-cache" })).toBeUndefined();
    });
});

describe("a database image across PostgreSQL major versions", () => {
    const risk = "moves the database from PostgreSQL 15 to 17: the new server cannot read the existing data directory; dump the database before the change and restore it after";

    it("is flagged on the db container, in the engine preview and at the top of the comment", () => {
        const preview: TenantPreview = { ref: "acme", status: "ok", events: events("acme", replacedContainerSteps("acme", "supabase/postgres:17.4.1.045")) };
        const report = tenantReportFromPreview(preview);
        expect(report.changes.filter((c) => c.dataLossRisk).map((c) => [c.name, c.dataLossRisk])).toEqual([["acme-db", risk]]);
        const comment = renderFleetPreviewComment([preview]);
        expect(comment).toContain("**1 tenant · 1 with changes · ⚠️ 1 data-loss risk**");
        expect(comment).toContain(`\n- ⚠️ **acme**: replace \`acme-db\` (Container): ${risk}\n`);
        expect(comment.indexOf(risk)).toBeLessThan(comment.indexOf("### Summary"));
    });

    it("is not flagged within one major version, on another service, or without a version in the tag", () => {
        const db = containerInputs("acme", "db", { image: "supabase/postgres:15.8.1.060" });
        const replace = (oldInputs: Record<string, unknown>, image: string) => dataLossRisk({ op: "replace", type: "docker:index/container:Container", name: "acme-db", oldInputs, newInputs: { ...oldInputs, image } });
        expect(replace(db, "supabase/postgres:17.4.1.045")).toBe(risk);
        expect(replace(db, "supabase/postgres:15.8.1.085")).toBeUndefined();
        expect(replace(db, "registry.example.com:5000/supabase/postgres:latest")).toBeUndefined();
        expect(replace(containerInputs("acme", "rest", { image: "postgrest/postgrest:v12.2" }), "postgrest/postgrest:v14.5")).toBeUndefined();
        expect(replace(containerInputs("acme", "meta", { image: "supabase/postgres-meta:0.84.0" }), "supabase/postgres-meta:1.0.0")).toBeUndefined();
    });
});

describe("property paths", () => {
    it("splits Pulumi's notation", () => {
        expect(parsePropertyPath("image")).toEqual(["image"]);
        expect(parsePropertyPath("envs[12]")).toEqual(["envs", 12]);
        expect(parsePropertyPath("labels[0].value")).toEqual(["labels", 0, "value"]);
        expect(parsePropertyPath('driverOpts["com.docker.a]b"].x')).toEqual(["driverOpts", "com.docker.a]b", "x"]);
    });
});
