/**
 * `npm run fleet -- <command>`: operate the tenant fleet (see `fleet --help`). Wires the CLI to the
 * process: Ctrl-C cancels in-flight operations (a second Ctrl-C exits at once), and the real
 * engine and Docker support load only when a command needs them.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildProgram } from "../engine/buildProgram.js";
import { runFleetCli } from "../fleet/cli/main.js";
import type { TenantDockerHostFactory } from "../fleet/ports.js";
import { runEntryPoint } from "./process.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Docker support lives in stacks/docker (dockerode); a clear error if that part is missing. */
async function loadDockerHosts(): Promise<TenantDockerHostFactory> {
    const specifier = "../docker/index.js"; // not a literal: the fleet builds without it
    try {
        const module = (await import(specifier)) as { createTenantDockerHost?: TenantDockerHostFactory };
        if (typeof module.createTenantDockerHost === "function") return module.createTenantDockerHost;
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") throw error;
    }
    return () => {
        throw new Error("Docker support (stacks/docker/index.ts, createTenantDockerHost) is not installed in this checkout");
    };
}

const controller = new AbortController();
let interrupts = 0;
process.on("SIGINT", () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    controller.abort();
});

// runFleetCli answers --help itself, per command.
await runEntryPoint((argv) =>
    runFleetCli(
        argv,
        { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signal: controller.signal },
        {
            automation: async () => {
                buildProgram(repoRoot);
                const { createAutomationEngine } = await import("../fleet/automationEngine.js");
                return {
                    engine: await createAutomationEngine({ repoRoot, env: process.env }),
                    hostEngine: await createAutomationEngine({ repoRoot, env: process.env, project: "hosts" }),
                    dockerHosts: await loadDockerHosts(),
                };
            },
        },
    ),
);
