/**
 * The runner against a small fixture program (test/plan/fixtures/project): what a document holds,
 * that stacks in one process do not see each other, determinism, and the error cases.
 */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { stableJson, type PlanDocument, type PlanResource } from "../../stacks/plan/document.js";
import { PlanError, planStacks, planStacksSettled } from "../../stacks/plan/runPlan.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const projectDir = fixture("project");

const find = (document: PlanDocument, type: string, name: string): PlanResource => {
    const resource = document.resources.find((candidate) => candidate.type === type && candidate.name === name);
    if (!resource) throw new Error(`no ${type} ${name} in the plan of ${document.stack}`);
    return resource;
};

describe("planStacks on the fixture project", () => {
    let dev: PlanDocument;
    let tenantB: PlanDocument;
    let devAgain: PlanDocument;

    beforeAll(async () => {
        // dev twice, around another stack: the second dev must not see anything of tenant-b.
        [dev, tenantB, devAgain] = (await planStacks(["dev", "tenant-b", "dev"], { projectDir })) as [PlanDocument, PlanDocument, PlanDocument];
    });

    it("lists every registered resource, sorted by type then name, with parents", () => {
        expect(dev.resources.map((resource) => [resource.type, resource.name, resource.parent])).toEqual([
            ["docker:index/container:Container", "dev-db", "dev"],
            ["docker:index/container:Container", "dev-rest", "dev"],
            ["docker:index/network:Network", "dev-network", "dev"],
            ["docker:index/volume:Volume", "dev-db-data", "dev"],
            ["pulumi:pulumi:Stack", "supabase-fleet-dev", null],
            ["random:index/randomPassword:RandomPassword", "dev-jwtSecret", "dev"],
            ["random:index/randomPassword:RandomPassword", "dev-postgresPassword", "dev"],
            ["supabase-fleet:index:FixtureProject", "dev", "supabase-fleet-dev"],
        ]);
        expect(dev.stack).toBe("dev");
        expect(dev.project).toBe("supabase-fleet");
    });

    it("holds the inputs as registered, under the SDK's names, masked only where Pulumi marks it", () => {
        expect(find(dev, "docker:index/container:Container", "dev-rest")).toEqual({
            type: "docker:index/container:Container",
            name: "dev-rest",
            parent: "dev",
            dependsOn: ["dev-db"],
            inputs: {
                name: "dev-rest",
                image: "postgrest/postgrest:v14.5",
                envs: ["PGRST_DB_URI=[secret]", "PGRST_JWT_SECRET=[secret]", "PGRST_DB_SCHEMAS=public", "[unknown]"],
                labels: [
                    { label: "supabase-fleet.tenant", value: "dev" },
                    { label: "supabase-fleet.service", value: "rest" },
                ],
                networksAdvanced: [{ name: "dev-network", aliases: ["rest"] }],
                ports: [{ internal: 3000, external: 8000, ip: "127.0.0.1" }],
            },
        });
        expect(find(dev, "docker:index/container:Container", "dev-db").inputs.healthcheck).toEqual({
            tests: ["CMD", "pg_isready", "-U", "postgres"],
            interval: "5s",
            timeout: "5s",
            retries: 10,
        });
        expect(find(dev, "pulumi:pulumi:Stack", "supabase-fleet-dev").inputs).toEqual({});
    });

    it("takes the stack's own config and the project's defaults", () => {
        expect(find(tenantB, "docker:index/container:Container", "tenant-b-rest").inputs.ports).toEqual([{ internal: 3000, external: 8100, ip: "127.0.0.1" }]);
        expect(find(dev, "docker:index/container:Container", "dev-rest").inputs.ports).toEqual([{ internal: 3000, external: 8000, ip: "127.0.0.1" }]);
        // tenant-b sets jwtSecret itself: the fixture generates only the postgres password (always).
        expect(tenantB.resources.filter((resource) => resource.type.startsWith("random:")).map((resource) => resource.name)).toEqual(["tenant-b-postgresPassword"]);
    });

    it("masks stack outputs the same way", () => {
        expect(dev.outputs).toEqual({
            ref: "dev",
            apiUrl: "http://localhost:8000",
            postgresPassword: "[secret]",
            networkId: "[unknown]",
            analyticsEnabled: true,
        });
        expect(tenantB.outputs).toEqual({
            ref: "tenant-b",
            apiUrl: "http://localhost:8100",
            postgresPassword: "[secret]",
            networkId: "[unknown]",
            analyticsEnabled: false,
        });
    });

    it("gives each stack of one process a fresh runtime: no resource or config crosses over", () => {
        expect(tenantB.resources.every((resource) => resource.name.startsWith("tenant-b") || resource.name === "supabase-fleet-tenant-b")).toBe(true);
        expect(stableJson(devAgain)).toBe(stableJson(dev));
    });

    it("is byte-identical across runs", async () => {
        const [again] = await planStacks(["tenant-b"], { projectDir });
        expect(stableJson(again)).toBe(stableJson(tenantB));
    });
});

describe("planStacks errors", () => {
    it("fails before running anything when a stack does not exist", async () => {
        const error = await planStacks(["dev", "nope"], { projectDir }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PlanError);
        expect((error as PlanError).exitCode).toBe(2);
        expect((error as PlanError).message).toBe(`unknown stack "nope": there is no Pulumi.nope.yaml in ${projectDir} (stacks: dev, tenant-b)`);
    });

    it("reports invalid config with the schema's messages, one line per problem, and goes on with the next stack", async () => {
        const outcomes = await planStacksSettled(["invalid", "broken"], { projectDir: fixture("broken-config") });
        const [invalid, broken] = outcomes.map((outcome) => ("error" in outcome ? outcome.error : undefined));
        expect(invalid?.exitCode).toBe(1);
        expect(invalid?.traceHelps).toBe(false);
        expect(invalid?.message.split("\n")).toEqual([
            "Invalid tenant config (stack invalid):",
            "  - supabase-fleet:kongHttpPort: must be a whole number from 1 to 65535 (got 70000)",
            '  - supabase-fleet:s3AccessKeyId: is required when storageBackend is "s3"',
            '  - supabase-fleet:s3Bucket: is required when storageBackend is "s3"',
            '  - supabase-fleet:s3Endpoint: is required when storageBackend is "s3"',
            '  - supabase-fleet:s3Region: is required when storageBackend is "s3"',
            '  - supabase-fleet:s3SecretAccessKey: is required when storageBackend is "s3"',
            '  - supabase-fleet:siteUrl: must be an absolute http:// or https:// URL, for example https://api.example.com (got "not-a-url")',
            "  - supabase-fleet:smtpHost: is required when authEmailEnabled is true and authEmailAutoconfirm is false (confirmation mails need an SMTP server); set smtpHost, or set authEmailAutoconfirm to true",
        ]);
        expect(broken?.message).toMatch(/^Pulumi\.broken\.yaml: malformed YAML: .+ at line 3, column 3$/);
        expect(broken?.exitCode).toBe(1);
    });
});
