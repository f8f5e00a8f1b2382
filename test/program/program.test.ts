/**
 * The Pulumi program (index.ts) as `pulumi up` runs it: stack config in, one project out; bad config
 * refused before anything is registered.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { installMocks, runProgram, unwrap } from "../support/pulumiHarness.js";

/** Stack config as Pulumi hands it to the program: namespaced keys, every value a string. */
function stackConfig(file: string): Record<string, string> {
    const document = parse(readFileSync(new URL(`../../${file}`, import.meta.url), "utf8")) as { config: Record<string, unknown> };
    return Object.fromEntries(Object.entries(document.config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
}

async function loadProgram(config: Record<string, string>, stack = "dev") {
    const run = await installMocks({ stack, config });
    const { default: main } = await import("../../index.js");
    return { run, main: () => runProgram(main), mainOutsideStack: main };
}

describe("index.ts", () => {
    it("declares the dev tenant from Pulumi.dev.yaml and exports its outputs", async () => {
        const { run, main } = await loadProgram(stackConfig("Pulumi.dev.yaml"));
        const outputs = await main();
        expect(await unwrap(outputs.apiUrl as string)).toBe("http://localhost:8000");
        expect(await unwrap(outputs.ref as string)).toBe("dev");
        const containers = run.registrations.filter((r) => r.type === "docker:index/container:Container");
        expect(containers.length).toBe(13);
        expect(Object.keys(outputs.containerNames as Record<string, string>).length).toBe(13);
        const kong = containers.find((c) => c.name === "dev-kong")!;
        expect(kong.inputs.ports).toEqual([
            { internal: 8000, external: 8000, ip: "127.0.0.1", protocol: "tcp" },
            { internal: 8443, external: 8443, ip: "127.0.0.1", protocol: "tcp" },
        ]);
        const supavisor = containers.find((c) => c.name === "dev-supavisor")!;
        expect(supavisor.inputs.ports).toEqual([
            { internal: 5432, external: 54322, ip: "127.0.0.1", protocol: "tcp" },
            { internal: 6543, external: 54329, ip: "127.0.0.1", protocol: "tcp" },
        ]);
    });

    it("refuses a bad config with every problem listed and registers nothing", async () => {
        const { run, mainOutsideStack } = await loadProgram({ "supabase-fleet:ref": "Bad_Ref", "supabase-fleet:kongHttpPort": "99999", "supabase-fleet:colour": "blue" });
        const pulumi = await import("@pulumi/pulumi");
        // Called directly: the program must throw before it registers anything, not even a stack.
        const error = await mainOutsideStack().then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(pulumi.RunError.isInstance(error)).toBe(true);
        const lines = (error as Error).message.split("\n");
        expect(lines[0]).toBe("Invalid tenant config (stack dev):");
        expect(lines.slice(1).map((l) => l.trim().split(":")[1])).toEqual(["colour", "kongHttpPort", "ref", "smtpHost"]);
        expect(run.registrations).toEqual([]);
    });

    it("defaults the ref to the stack name", async () => {
        const { main } = await loadProgram({ "supabase-fleet:authEmailAutoconfirm": "true" }, "tenant-seven");
        const outputs = await main();
        expect(await unwrap(outputs.ref as string)).toBe("tenant-seven");
    });
});

describe("Pulumi.yaml", () => {
    it("declares exactly the settings of the schema (regenerate with `npm run gen:project-config`)", async () => {
        const { CONFIG_REFERENCE_DOC, renderProjectFile, withConfigReference } = await import("../../scripts/projectFile.js");
        expect(readFileSync(new URL("../../Pulumi.yaml", import.meta.url), "utf8")).toBe(renderProjectFile());
        const reference = readFileSync(new URL(`../../${CONFIG_REFERENCE_DOC}`, import.meta.url), "utf8");
        expect(reference, `${CONFIG_REFERENCE_DOC}: the config reference is stale: run \`npm run gen:project-config\``).toBe(withConfigReference(reference));
    });

    it("keeps every secret out of the committed stack files", () => {
        for (const file of readdirSync(new URL("../../", import.meta.url)).filter((f) => /^Pulumi\.[a-z0-9-]+\.yaml$/.test(f))) {
            const config = parse(readFileSync(new URL(`../../${file}`, import.meta.url), "utf8")).config as Record<string, unknown>;
            for (const key of ["jwtSecret", "postgresPassword", "dashboardPassword", "anonKey", "serviceRoleKey"]) {
                const value = config[`supabase-fleet:${key}`];
                expect(value === undefined || (typeof value === "object" && value !== null && "secure" in value), `${file} ${key}`).toBe(true);
            }
        }
    });
});

describe("stack config as the Pulumi CLI hands it over", () => {
    it("reads the empty defaults Pulumi.yaml declares as unset", async () => {
        const project = parse(readFileSync(new URL("../../Pulumi.yaml", import.meta.url), "utf8")) as { config: Record<string, { default: unknown }> };
        // What the CLI passes when a stack sets nothing: every declared default.
        const defaults = Object.fromEntries(
            Object.entries(project.config).map(([key, declared]) => [`supabase-fleet:${key}`, typeof declared.default === "string" ? declared.default : JSON.stringify(declared.default)]),
        );
        const { main } = await loadProgram({ ...defaults, "supabase-fleet:authEmailAutoconfirm": "true" }, "defaults-only");
        const outputs = await main();
        expect([outputs.ref, outputs.apiUrl]).toEqual(["defaults-only", "http://localhost:8000"]);
    });

    it("declares a default for every setting, so Pulumi never reports one as missing", () => {
        const project = parse(readFileSync(new URL("../../Pulumi.yaml", import.meta.url), "utf8")) as { config: Record<string, Record<string, unknown>> };
        const withoutDefault = Object.entries(project.config).filter(([, declared]) => !("default" in declared)).map(([key]) => key);
        const flaggedSecret = Object.entries(project.config).filter(([, declared]) => "secret" in declared).map(([key]) => key);
        expect([withoutDefault, flaggedSecret]).toEqual([[], []]);
    });

    it("refuses a secret setting stored in plaintext, naming the command that stores it encrypted", async () => {
        const { run, mainOutsideStack } = await loadProgram({ "supabase-fleet:authEmailAutoconfirm": "true", "supabase-fleet:jwtSecret": "p".repeat(40) });
        const error = (await mainOutsideStack().catch((e: unknown) => e)) as Error;
        expect(error.message.split("\n")).toEqual([
            "Invalid tenant config (stack dev):",
            "  - supabase-fleet:jwtSecret: is a secret but is stored in plaintext; set it with `pulumi config set --secret supabase-fleet:jwtSecret <value>`",
        ]);
        expect(error.message).not.toContain("p".repeat(40));
        expect(run.registrations).toEqual([]);
    });

    it("accepts the same secret stored encrypted", async () => {
        const run = await installMocks({ stack: "dev", config: { "supabase-fleet:authEmailAutoconfirm": "true", "supabase-fleet:jwtSecret": "p".repeat(40) }, secretKeys: ["supabase-fleet:jwtSecret"] });
        const { default: program } = await import("../../index.js");
        const outputs = await runProgram(program);
        expect(await unwrap(outputs.jwtSecret as string)).toBe("p".repeat(40));
        // The stack and a project of 51 resources, less the RandomPassword the given jwtSecret replaces.
        expect(run.registrations.length).toBe(51);
    });
});

describe("npm run dev:up", () => {
    it("without the Pulumi CLI, says how to install it and changes nothing", async () => {
        const { spawnSync } = await import("node:child_process");
        const { existsSync } = await import("node:fs");
        const { MISSING_CLI_MESSAGE } = await import("../../stacks/engine/toolchain.js");
        const repo = new URL("../../", import.meta.url).pathname;
        const stateExisted = existsSync(`${repo}.pulumi-state`);
        // A PATH without any pulumi binary.
        const result = spawnSync("bash", ["scripts/dev-up.sh"], { cwd: repo, env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent" }, encoding: "utf8" });
        expect(result.status).toBe(1);
        expect(result.stderr).toBe(`${MISSING_CLI_MESSAGE}\n`);
        expect(existsSync(`${repo}.pulumi-state`)).toBe(stateExisted);
    });
});
