/** Fixtures shared by the fleet tests: a memory engine with stacks, and a fleet over memory Docker hosts. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runFleetCli, type CliDeps } from "../../stacks/fleet/cli/main.js";
import { Fleet } from "../../stacks/fleet/fleet.js";
import { MemoryDockerHosts } from "./doubles/memoryDockerHost.js";
import { MemoryEngine, type MemoryEngineOptions } from "./doubles/memoryEngine.js";
import { parseRegistry, type FleetRegistry } from "../../stacks/fleet/registry.js";

export const LOCAL_SOCKET = "unix:///var/run/docker.sock";

export async function engineWithStacks(refs: readonly string[], options: MemoryEngineOptions = {}): Promise<MemoryEngine> {
    const engine = new MemoryEngine(options);
    for (const ref of refs) await engine.createStack(ref, { ref, authEmailAutoconfirm: true }, []);
    return engine;
}

export function registryOf(document: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): FleetRegistry {
    const defaults = { authEmailAutoconfirm: true, ...((document.defaults as Record<string, unknown> | undefined) ?? {}) };
    return parseRegistry({ ...document, defaults }, "fleet.yaml", env);
}

export function memoryFleet(options: { registry?: FleetRegistry; engine?: MemoryEngineOptions } = {}) {
    const docker = new MemoryDockerHosts();
    const engine = new MemoryEngine({ ...options.engine, onApplied: docker.mirror });
    // Without a registry of its own, tenants are created from test defaults (no SMTP needed).
    const registry = options.registry ?? registryOf({ tenants: [] });
    const fleet = new Fleet({ engine, dockerHosts: docker.factory, registry, destroyRetryPauseMs: 0 });
    return { fleet, engine, docker };
}

/** The fleet CLI over a memory engine and memory Docker hosts, in a scratch folder with an optional fleet.yaml. */
export function cliHarness(registryYaml?: string, engineOptions: ConstructorParameters<typeof MemoryEngine>[0] = {}) {
    const cwd = mkdtempSync(join(tmpdir(), "fleet-cli-"));
    if (registryYaml !== undefined) writeFileSync(join(cwd, "fleet.yaml"), registryYaml);
    const docker = new MemoryDockerHosts();
    const engine = new MemoryEngine({ ...engineOptions, onApplied: docker.mirror });
    // The host stacks (edge proxies) are in a project of their own, so in an engine of their own.
    const hostEngine = new MemoryEngine(engineOptions);
    const deps: CliDeps = { engine, hostEngine, dockerHosts: docker.factory };
    const env: Record<string, string> = {};
    const run = async (argv: string[], signal?: AbortSignal) => {
        let stdout = "";
        let stderr = "";
        const io = {
            stdout: { write: (text: string) => (stdout += text) },
            stderr: { write: (text: string) => (stderr += text) },
            env,
            cwd,
            ...(signal ? { signal } : {}),
        };
        const code = await runFleetCli(argv, io, deps);
        return { code, stdout, stderr };
    };
    return { run, engine, hostEngine, docker, cwd, env };
}

/** A fleet.yaml of tenants alpha, bravo and charlie on one local host; `defaults` adds indented lines to its defaults. */
export const threeTenantRegistry = (defaults = ""): string => `defaults:
  authEmailAutoconfirm: true
${defaults}hosts:
  local:
    dockerHost: unix:///var/run/docker.sock
    portRange: { from: 40000, to: 40099 }
tenants:
  - ref: alpha
  - ref: bravo
  - ref: charlie
`;
