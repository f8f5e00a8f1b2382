/**
 * `npm run fleet -- <command>`: operate the tenant fleet (see `fleet --help`). Wires the CLI to the
 * process: Ctrl-C cancels in-flight operations (a second Ctrl-C exits at once), and the real
 * engine and Docker support load only when a command needs them.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDockerHost } from "../../components/config/dockerHost.js";
import { buildProgram } from "../engine/buildProgram.js";
import { runFleetCli } from "../fleet/cli/main.js";
import { hostKeyVerifier, KNOWN_HOSTS_FILE, readKnownHosts, writeKnownHosts } from "../fleet/knownHosts.js";
import type { TenantDockerHostFactory } from "../fleet/ports.js";
import { scanHostKeys } from "../fleet/sshTransport.js";
import { runEntryPoint } from "./process.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

type DockerHostWithVerifier = (dockerHost: string, options: Parameters<TenantDockerHostFactory>[1] & { sshHostVerifier?: (key: Buffer) => boolean }) => ReturnType<TenantDockerHostFactory>;

function verifierFor(dockerHost: string): ((key: Buffer) => boolean) | undefined {
    const endpoint = parseDockerHost(dockerHost);
    return endpoint.kind === "ssh" ? hostKeyVerifier(repoRoot, endpoint.host, endpoint.port) : undefined;
}

/** Docker support lives in stacks/docker (dockerode); a clear error if that part is missing. */
async function loadDockerHosts(): Promise<TenantDockerHostFactory> {
    const specifier = "../docker/index.js"; // not a literal: the fleet builds without it
    try {
        const module = (await import(specifier)) as { createTenantDockerHost?: DockerHostWithVerifier };
        const create = module.createTenantDockerHost;
        // ssh:// hosts: the fleet's own Docker client checks host keys against hosts/known_hosts too.
        if (typeof create === "function") return (dockerHost, options) => create(dockerHost, { ...options, sshHostVerifier: verifierFor(dockerHost) });
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
            knownHosts: {
                description: KNOWN_HOSTS_FILE,
                read: () => readKnownHosts(repoRoot),
                write: (text) => writeKnownHosts(repoRoot, text),
                scan: scanHostKeys,
            },
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
