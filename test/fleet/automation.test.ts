import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, statSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { createTenantDockerHost } from "../../stacks/docker/index.js";
import { configWrites, createAutomationEngine, diagnosticSummary, stepsOf } from "../../stacks/fleet/automationEngine.js";
import { describeBackend, prepareBackend, resolveBackend } from "../../stacks/fleet/backend.js";
import type { EngineEvent } from "../../stacks/fleet/engine.js";
import type { TenantDockerHostFactory } from "../../stacks/fleet/ports.js";
import { parseRegistry } from "../../stacks/fleet/registry.js";
import { applySync, planSync } from "../../stacks/fleet/sync.js";
import { prepareTenantWorkspace } from "../../stacks/fleet/tenantWorkspace.js";
import { engineAvailable } from "../support/engine.js";

// The Docker helper's factory must fit the fleet's port (checked by the compiler).
const dockerFactoryFits: TenantDockerHostFactory = createTenantDockerHost;

describe("backend selection", () => {
    it("defaults to a file backend in the project with a generated passphrase file", () => {
        const root = mkdtempSync(join(tmpdir(), "fleet-backend-"));
        const settings = resolveBackend(root, {});
        expect(settings).toEqual({
            backendUrl: `file://${root}/.pulumi-state`,
            embedded: true,
            envVars: { PULUMI_BACKEND_URL: `file://${root}/.pulumi-state`, PULUMI_CONFIG_PASSPHRASE_FILE: `${root}/.pulumi-state/passphrase` },
            secretsProvider: "passphrase",
            passphraseFile: `${root}/.pulumi-state/passphrase`,
        });
        prepareBackend(settings);
        const passphrase = readFileSync(settings.passphraseFile!, "utf8");
        expect(passphrase).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
        expect(statSync(settings.passphraseFile!).mode & 0o777).toBe(0o600);
        expect(statSync(join(root, ".pulumi-state")).mode & 0o777).toBe(0o700);
        chmodSync(settings.passphraseFile!, 0o644); // an existing passphrase readable by others is tightened
        prepareBackend(settings);
        expect(readFileSync(settings.passphraseFile!, "utf8")).toBe(passphrase); // generated once
        expect(statSync(settings.passphraseFile!).mode & 0o777).toBe(0o600);
    });

    it("steps aside for PULUMI_BACKEND_URL, a given passphrase and another secrets provider", () => {
        expect(resolveBackend("/repo", { PULUMI_BACKEND_URL: "s3://bucket/fleet", PULUMI_SECRETS_PROVIDER: "awskms://alias/fleet" })).toEqual({
            backendUrl: "s3://bucket/fleet",
            embedded: false,
            envVars: {},
            secretsProvider: "awskms://alias/fleet",
        });
        expect(resolveBackend("/repo", { PULUMI_CONFIG_PASSPHRASE: "mine" }).envVars).toEqual({ PULUMI_BACKEND_URL: "file:///repo/.pulumi-state" });
        expect(describeBackend("https://user:token@api.example.com/state")).toBe("https://api.example.com/state");
    });
});

describe("per-tenant work directories", () => {
    it("point main and stack config through a link to the repo, so the program and Pulumi.<ref>.yaml are the repo's", () => {
        const root = mkdtempSync(join(tmpdir(), "fleet-ws-"));
        writeFileSync(join(root, "Pulumi.yaml"), "name: supabase-fleet\nruntime: nodejs\nmain: dist/index.js\n");
        const project = parseYaml(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
        const dir = prepareTenantWorkspace(root, "acme", project);
        expect(dir).toBe(join(root, ".fleet", "workspaces", "acme"));
        expect(parseYaml(readFileSync(join(dir, "Pulumi.yaml"), "utf8"))).toEqual({ name: "supabase-fleet", runtime: "nodejs", main: "program/dist/index.js", stackConfigDir: "program" });
        expect(lstatSync(join(dir, "program")).isSymbolicLink()).toBe(true);
        expect(realpathSync(join(dir, "program"))).toBe(realpathSync(root));
        expect(prepareTenantWorkspace(root, "acme", project)).toBe(dir); // idempotent
        expect(existsSync(join(root, ".fleet", "workspaces", "beta"))).toBe(false);
    });
});

describe("preview steps from engine events", () => {
    it("keeps op, urn, diffs, detailedDiff and replaceReasons of every step that is not 'same'", () => {
        const meta = (op: string, name: string, extra: Record<string, unknown> = {}) => ({ op, urn: `urn:pulumi:acme::supabase-fleet::docker:index/container:Container::${name}`, type: "docker:index/container:Container", provider: "", ...extra });
        const events = [
            { sequence: 1, timestamp: 0, resourcePreEvent: { metadata: meta("same", "acme-db") } },
            { sequence: 2, timestamp: 0, resourcePreEvent: { metadata: meta("replace", "acme-kong", { keys: ["ports"], diffs: ["ports"], detailedDiff: { ports: { diffKind: "update-replace", inputDiff: true } } }) } },
            { sequence: 3, timestamp: 0, resourcePreEvent: { metadata: meta("update", "acme-auth", { diffs: ["restart"] }) } },
        ] as unknown as EngineEvent[];
        expect(stepsOf(events)).toEqual([
            { op: "replace", urn: "urn:pulumi:acme::supabase-fleet::docker:index/container:Container::acme-kong", type: "docker:index/container:Container", diffs: ["ports"], detailedDiff: { ports: { diffKind: "update-replace", inputDiff: true } }, replaceReasons: ["ports"] },
            { op: "update", urn: "urn:pulumi:acme::supabase-fleet::docker:index/container:Container::acme-auth", type: "docker:index/container:Container", diffs: ["restart"] },
        ]);
        expect(typeof dockerFactoryFits).toBe("function");
    });
});

const hasPulumi = engineAvailable();
if (!hasPulumi) console.warn("fleet automation suite skipped: no Pulumi CLI (npm run toolchain, or the official installer)");

describe("config writes", () => {
    it("write lists element by element (Pulumi checks declared arrays only against real lists), scalars as text, secrets flagged", () => {
        expect(
            configWrites(
                { kongHttpPort: 8100, paused: false, additionalRedirectUrls: ["https://a.example.com", "https://b.example.com"], authOAuthClientSecrets: ["github:x"], authOAuthProviders: [] },
                ["authOAuthClientSecrets"],
            ),
        ).toEqual({
            scalars: {
                "supabase-fleet:kongHttpPort": { value: "8100", secret: false },
                "supabase-fleet:paused": { value: "false", secret: false },
            },
            lists: [
                {
                    key: "supabase-fleet:additionalRedirectUrls",
                    elements: {
                        "supabase-fleet:additionalRedirectUrls[0]": { value: "https://a.example.com", secret: false },
                        "supabase-fleet:additionalRedirectUrls[1]": { value: "https://b.example.com", secret: false },
                    },
                },
                { key: "supabase-fleet:authOAuthClientSecrets", elements: { "supabase-fleet:authOAuthClientSecrets[0]": { value: "github:x", secret: true } } },
                { key: "supabase-fleet:authOAuthProviders", elements: {} },
            ],
        });
    });
});

describe.skipIf(!hasPulumi)(`Automation API engine against the real Pulumi CLI${hasPulumi ? "" : " (skipped: no Pulumi CLI (npm run toolchain, or the official installer))"}`, () => {
    it("creates a stack with plain and secret config, reads it back, refuses a duplicate and removes it", async () => {
        const root = mkdtempSync(join(tmpdir(), "fleet-auto-"));
        writeFileSync(join(root, "Pulumi.yaml"), "name: supabase-fleet\nruntime: nodejs\n");
        const engine = await createAutomationEngine({ repoRoot: root, env: {} });
        await engine.createStack("acme", { ref: "acme", kongHttpPort: 54400, jwtSecret: "s".repeat(40) }, ["jwtSecret"]);
        expect(await engine.getConfig("acme")).toEqual({ ref: "acme", kongHttpPort: "54400", jwtSecret: "s".repeat(40) });
        expect(readFileSync(join(root, "Pulumi.acme.yaml"), "utf8")).not.toContain("s".repeat(40));
        await expect(engine.createStack("acme", {}, [])).rejects.toThrow('tenant "acme" already exists');
        expect((await engine.listStacks()).map((stack) => stack.ref)).toEqual(["acme"]);
        await engine.removeStack("acme");
        expect(await engine.listStacks()).toEqual([]);
    });

    it("reads a stack's own settings without the defaults the project's Pulumi.yaml declares, and destroys a stack never deployed", async () => {
        const root = mkdtempSync(join(tmpdir(), "fleet-auto-"));
        writeFileSync(join(root, "Pulumi.yaml"), readFileSync(join(import.meta.dirname, "..", "..", "Pulumi.yaml"), "utf8"));
        // A program that fails if it runs at all.
        mkdirSync(join(root, "dist"));
        writeFileSync(join(root, "dist", "index.js"), 'throw new Error("the program ran");\n');
        const engine = await createAutomationEngine({ repoRoot: root, env: {} });
        await engine.createStack("plain", { ref: "plain", authEmailAutoconfirm: true }, []);
        const config = await engine.getConfig("plain");
        expect(config).toMatchObject({ ref: "plain", authEmailAutoconfirm: "true" });
        expect(Object.entries(config).filter(([, value]) => value === "" || value === "[]")).toEqual([]);
        expect(config.functionsImage).toBeUndefined();
        // Nor the non-empty ones: a default is not the stack's own (fleet sync would otherwise take it for a setting).
        expect([config.release, config.siteUrl]).toEqual([undefined, undefined]);
        // A stack never deployed is destroyed without running the program.
        await expect(engine.destroy("plain")).resolves.toMatchObject({ kind: "destroy" });
        await engine.removeStack("plain");
    });

    it("records a placement by capacity in the stack file, and a second sync with other capacities finds every tenant unchanged", async () => {
        const root = mkdtempSync(join(tmpdir(), "fleet-auto-"));
        writeFileSync(join(root, "Pulumi.yaml"), readFileSync(join(import.meta.dirname, "..", "..", "Pulumi.yaml"), "utf8"));
        const engine = await createAutomationEngine({ repoRoot: root, env: {} });
        const hosts = (bigTenants: number) => ({
            big: { dockerHost: "unix:///var/run/docker.sock", portRange: { from: 41000, to: 41099 }, capacity: { memoryMb: 65536, cpus: 64, tenants: bigTenants } },
            small: { dockerHost: "ssh://deploy@small-1", portRange: { from: 42000, to: 42099 }, capacity: { memoryMb: 16384, cpus: 24, tenants: 10 } },
        });
        const registry = (bigTenants: number) => parseRegistry({ defaults: { authEmailAutoconfirm: true, analyticsEnabled: false }, hosts: hosts(bigTenants), tenants: [{ ref: "alpha" }, { ref: "bravo" }] }, "fleet.yaml", {});
        // Two slots on big: one tenant would leave it 50% of its slots, less than small keeps of its CPUs (54%).
        const plan = await planSync(engine, registry(2));
        expect(plan.items.map((item) => [item.ref, item.action, item.host])).toEqual([["alpha", "create", "small"], ["bravo", "create", "big"]]);
        await applySync(engine, plan, { parallel: 2 });
        expect(parseYaml(readFileSync(join(root, "Pulumi.alpha.yaml"), "utf8")).config).toMatchObject({ "supabase-fleet:fleetHost": "small", "supabase-fleet:dockerHost": "ssh://deploy@small-1" });
        // With room for 100 on big, a new placement would pick big for both; the recorded ones stay.
        const again = await planSync(engine, registry(100));
        expect(again.items.map((item) => [item.ref, item.action, item.host, item.changedKeys, item.removedKeys])).toEqual([
            ["alpha", "unchanged", "small", [], []],
            ["bravo", "unchanged", "big", [], []],
        ]);
        for (const ref of ["alpha", "bravo"]) await engine.removeStack(ref);
    });

    it("reports a failed CLI call outside an operation as Pulumi's error line, not the Automation API's framing", async () => {
        const root = mkdtempSync(join(tmpdir(), "fleet-auto-"));
        writeFileSync(join(root, "Pulumi.yaml"), "name: supabase-fleet\nruntime: nodejs\n");
        const engine = await createAutomationEngine({ repoRoot: root, env: {} });
        await engine.createStack("torn", { ref: "torn" }, []);
        writeFileSync(join(root, "Pulumi.torn.yaml"), "config: [unclosed\n");
        const failure = await engine.getConfig("torn").then(
            () => new Error("getConfig succeeded on a torn stack file"),
            (error: unknown) => error as Error,
        );
        expect(failure.message).toMatch(/^error: /);
        expect(failure.message).not.toMatch(/code: -2|Command failed|\n/);
        writeFileSync(join(root, "Pulumi.torn.yaml"), "config: {}\n");
        await engine.removeStack("torn");
    });

    it("writes list settings so that the project's typed declarations accept them", async () => {
        const root = mkdtempSync(join(tmpdir(), "fleet-auto-"));
        writeFileSync(join(root, "Pulumi.yaml"), "name: supabase-fleet\nruntime: nodejs\nconfig:\n  additionalRedirectUrls:\n    type: array\n    items:\n      type: string\n    default: []\n");
        const engine = await createAutomationEngine({ repoRoot: root, env: {} });
        await engine.createStack("lists", { additionalRedirectUrls: ["https://a.example.com"] }, []);
        await engine.setConfig("lists", { additionalRedirectUrls: ["https://b.example.com", "https://c.example.com"] }, []);
        expect((await engine.getConfig("lists")).additionalRedirectUrls).toBe('["https://b.example.com","https://c.example.com"]');
        expect(parseYaml(readFileSync(join(root, "Pulumi.lists.yaml"), "utf8")).config["supabase-fleet:additionalRedirectUrls"]).toEqual([
            "https://b.example.com",
            "https://c.example.com",
        ]);
        await engine.removeStack("lists");
    });
});

describe("diagnosticSummary", () => {
    it("reports what a failed command resource wrote on stderr, not its script", () => {
        const text = 'exit status 1: running "docker network inspect \\"$EDGE_NETWORK\\" || { echo \\"$MSG\\" >&2; exit 1; }": Stdout:\n\nStderr:\nsupabase-fleet: its host stack is missing\n';
        expect(diagnosticSummary(text)).toBe("supabase-fleet: its host stack is missing (exit status 1)");
    });

    it("keeps the first lines of any other diagnostic, and a command's own text when it wrote no stderr", () => {
        expect(diagnosticSummary("docker:index/container:Container (kong):\n  error: port is already allocated\nmore\nand more")).toBe(
            "docker:index/container:Container (kong):   error: port is already allocated more",
        );
        expect(diagnosticSummary('exit status 2: running "false": Stdout:\n\nStderr:\n')).toBe('exit status 2: running "false": Stdout:  Stderr:');
    });
});
