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
        const { renderProjectFile, withConfigReference } = await import("../../scripts/projectFile.js");
        expect(readFileSync(new URL("../../Pulumi.yaml", import.meta.url), "utf8")).toBe(renderProjectFile());
        const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
        expect(readme, "README config reference is stale: run `npm run gen:project-config`").toBe(withConfigReference(readme));
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
