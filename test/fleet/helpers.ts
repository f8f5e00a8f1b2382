/** Fixtures shared by the fleet tests: a memory engine with stacks, and a fleet over memory Docker hosts. */
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
    const fleet = new Fleet({ engine, dockerHosts: docker.factory, registry });
    return { fleet, engine, docker };
}
