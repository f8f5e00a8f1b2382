/**
 * The plan of the real program (`index.ts`) for the repo's stacks: every container of the component
 * with exactly the inputs the component gave it, and no secret anywhere in the output.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { signApiKey } from "../../components/apiKeys.js";
import { SERVICE_NAMES, type ServiceName } from "../../components/catalog.js";
import { DEFAULT_API_KEY_EXPIRES_AT } from "../../components/config/constants.js";
import { RELEASES } from "../../components/releases.js";
import { startDependencies } from "../../components/services/index.js";
import { stableJson, type PlanDocument, type PlanValue } from "../../stacks/plan/document.js";
import { SECRET_MARK, UNKNOWN_MARK } from "../../stacks/plan/masking.js";
import { fakeRandomOutputs, planMocks } from "../../stacks/plan/mocks.js";
import { renderPlan } from "../../stacks/plan/render.js";
import { planStacks } from "../../stacks/plan/runPlan.js";
import { readProjectFile, readStackConfig } from "../../stacks/plan/stackConfig.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const fixtureProject = fileURLToPath(new URL("./fixtures/project/", import.meta.url));
const CONTAINER = "docker:index/container:Container";
const IMAGE = "docker:index/remoteImage:RemoteImage";

let dev: PlanDocument;
let acme: PlanDocument;
let fixtureTenant: PlanDocument;

beforeAll(async () => {
    [dev, acme] = (await planStacks(["dev", "acme"], { projectDir: repo })) as [PlanDocument, PlanDocument];
    [fixtureTenant] = (await planStacks(["tenant-b"], { projectDir: fixtureProject })) as [PlanDocument];
});

const containersOf = (document: PlanDocument) => document.resources.filter((resource) => resource.type === CONTAINER);

/**
 * Runs the real program the classic unit-test way (setMocks + calling main, no stack resource) and
 * returns the inputs each resource received, as the mocks' `newResource` sees them: an independent
 * path from the plan's recorder to compare against.
 */
async function inputsSeenByMocks(stack: string): Promise<Map<string, Record<string, unknown>>> {
    const seen = new Map<string, Record<string, unknown>>();
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                seen.set(`${args.type}::${args.name}`, args.inputs as Record<string, unknown>);
                return planMocks.newResource(args) as { id: string | undefined; state: Record<string, unknown> };
            },
            call: planMocks.call,
        },
        "supabase-fleet",
        stack,
        true,
    );
    const { config, secretKeys } = readStackConfig(repo, readProjectFile(repo), stack);
    pulumi.runtime.setAllConfig(config, secretKeys);
    const { default: main } = await import("../../index.js");
    await main();
    await pulumi.runtime.disconnect(); // every registration answered
    return seen;
}

/**
 * Where the planned value and the component's input differ, other than by masking that Pulumi's
 * own marks justify: `[secret]` only under a secret, `[unknown]` only for an unknown, and
 * `NAME=[secret]` only for a secret env entry of that name. Empty when they agree.
 */
function disagreements(planned: PlanValue | undefined, given: unknown, path: string, underSecret = false): string[] {
    const sig = pulumi.runtime.specialSigKey;
    if (given !== null && typeof given === "object" && (given as Record<string, unknown>)[sig] === pulumi.runtime.specialSecretSig) {
        return disagreements(planned, (given as { value: unknown }).value, path, true);
    }
    if (planned === SECRET_MARK) return underSecret ? [] : [`${path}: masked as secret, but the component did not mark it secret`];
    if (pulumi.isUnknown(given)) return planned === UNKNOWN_MARK ? [] : [`${path}: unknown in the component, ${JSON.stringify(planned)} in the plan`];
    if (typeof planned === "string" && planned.endsWith(`=${SECRET_MARK}`) && typeof given === "string") {
        const name = planned.slice(0, -SECRET_MARK.length);
        return underSecret && given.startsWith(name) ? [] : [`${path}: ${planned} does not stand for a secret ${name}... entry`];
    }
    if (Array.isArray(planned) && Array.isArray(given)) {
        if (planned.length !== given.length) return [`${path}: ${planned.length} entries planned, ${given.length} given`];
        return planned.flatMap((element, index) => disagreements(element, given[index], `${path}[${index}]`, underSecret));
    }
    if (planned !== null && typeof planned === "object" && !Array.isArray(planned) && given !== null && typeof given === "object" && !Array.isArray(given)) {
        const keys = [...new Set([...Object.keys(planned), ...Object.keys(given)])].sort();
        return keys.flatMap((key) => disagreements(planned[key], (given as Record<string, unknown>)[key], `${path}.${key}`, underSecret));
    }
    return planned === given ? [] : [`${path}: planned ${JSON.stringify(planned)}, given ${JSON.stringify(given)}`];
}

describe("plan of the dev stack (real program)", () => {
    it("holds one container per service of the component, named and imaged as the catalog says", () => {
        const containers = containersOf(dev);
        expect(containers.map((container) => container.inputs.name).sort()).toEqual(SERVICE_NAMES.map((service) => `dev-${service}`).sort());
        for (const container of containers) {
            const service = String(container.inputs.name).slice("dev-".length) as ServiceName;
            expect(container.inputs.image, container.name).toBe(RELEASES["feb-2026"].images[service]);
            expect(container.inputs.labels, container.name).toEqual(
                expect.arrayContaining([
                    { label: "supabase-fleet.tenant", value: "dev" },
                    { label: "supabase-fleet.service", value: service },
                ]),
            );
            // Start order: exactly the health-gated services the service module names, plus its image.
            const byName = new Map(dev.resources.map((resource) => [resource.name, resource]));
            const containerDependencies = container.dependsOn.filter((name) => byName.get(name)?.type === CONTAINER).map((name) => byName.get(name)!.inputs.name);
            expect(containerDependencies.sort(), container.name).toEqual(startDependencies(RELEASES["feb-2026"])[service].map((dependency) => `dev-${dependency}`).sort());
            expect(container.dependsOn.filter((name) => byName.get(name)?.type === IMAGE).length, container.name).toBe(1);
        }
    });

    it("holds for every container exactly the inputs the component gave it, masked only by Pulumi's marks", async () => {
        const given = await inputsSeenByMocks("dev");
        const containers = containersOf(dev);
        expect(containers.length).toBe(SERVICE_NAMES.length);
        for (const container of containers) {
            const inputs = given.get(`${CONTAINER}::${container.name}`);
            expect(inputs, container.name).toBeDefined();
            expect(disagreements(container.inputs, inputs, container.name)).toEqual([]);
        }
        // Every secret the component marked shows as masked somewhere: the comparison above had secrets to check.
        expect(stableJson(dev)).toContain(`POSTGRES_PASSWORD=${SECRET_MARK}`);
    });
});

describe("plan of the acme stack (non-default settings)", () => {
    it("runs without analytics and vector, on its own ports, with S3 storage", () => {
        const names = containersOf(acme).map((container) => String(container.inputs.name));
        expect(names.sort()).toEqual(SERVICE_NAMES.filter((service) => service !== "analytics" && service !== "vector").map((service) => `acme-${service}`).sort());
        const kong = containersOf(acme).find((container) => container.inputs.name === "acme-kong")!;
        expect(kong.inputs.ports).toEqual([
            { internal: 8000, external: 8100, ip: "127.0.0.1", protocol: "tcp" },
            { internal: 8443, external: 8543, ip: "127.0.0.1", protocol: "tcp" },
        ]);
        const storage = containersOf(acme).find((container) => container.inputs.name === "acme-storage")!;
        expect(storage.inputs.envs).toEqual(
            expect.arrayContaining([
                "GLOBAL_S3_BUCKET=acme-supabase-storage",
                `AWS_ACCESS_KEY_ID=${SECRET_MARK}`,
                `AWS_SECRET_ACCESS_KEY=${SECRET_MARK}`,
            ]),
        );
        expect(acme.outputs.apiUrl).toBe("https://api.acme.example.com");
    });
});

describe("masking never leaks a secret", () => {
    /** Every secret value the plans could have seen: generated ones (known from the mocks), config ones, and keys signed from them. */
    async function everySecret(): Promise<string[]> {
        const secrets: string[] = [];
        for (const document of [dev, acme, fixtureTenant]) {
            for (const resource of document.resources.filter((r) => r.type.startsWith("random:"))) {
                const outputs = fakeRandomOutputs(resource.type, resource.name, resource.inputs as Record<string, unknown>) ?? {};
                secrets.push(...Object.values(outputs).map(String));
            }
            const jwtSecret = fakeRandomOutputs("random:index/randomPassword:RandomPassword", `${document.stack}-jwtSecret`, { length: 64, special: false })!;
            // The anon key is public by design (the component unsecrets it); the service-role key is not.
            if (document !== fixtureTenant) secrets.push(await signApiKey({ role: "service_role", jwtSecret: String(jwtSecret.result), expiresAt: DEFAULT_API_KEY_EXPIRES_AT }));
        }
        const stackFiles = [`${repo}/Pulumi.acme.yaml`, `${repo}/Pulumi.dev.yaml`, `${fixtureProject}/Pulumi.tenant-b.yaml`];
        for (const file of stackFiles) {
            const config = (parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> }).config ?? {};
            for (const [key, value] of Object.entries(config)) {
                if (value !== null && typeof value === "object" && "secure" in value) secrets.push(String((value as { secure: unknown }).secure));
                // The fixture's plaintext secret settings: the program wraps them, the plan must mask them.
                if (/postgresPassword|jwtSecret/.test(key) && typeof value === "string") secrets.push(value);
            }
        }
        secrets.push("opaque-secret"); // the stand-in for encrypted config must never surface either
        return secrets;
    }

    it("finds no generated or configured secret in the JSON or the text of any plan", async () => {
        const secrets = await everySecret();
        // 11 generated per real tenant, the service-role keys, 3 secure values, 2 fixture plaintexts, ...
        expect(secrets.length).toBeGreaterThanOrEqual(30);
        const output = [dev, acme, fixtureTenant].map((document) => `${stableJson(document)}\n${renderPlan(document)}`).join("\n");
        const leaked = secrets.filter((secret) => output.includes(secret));
        expect(leaked).toEqual([]);
    });
});
