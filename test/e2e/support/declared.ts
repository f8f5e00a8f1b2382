/**
 * One comparison of what a stack declares with what exists on the Docker engine: the offline plan's
 * container inputs and `docker inspect`, reduced to the same shape.
 */
import { inspect } from "./workspace.js";

export interface ContainerShape {
    readonly image: string;
    readonly envNames: readonly string[];
    readonly labels: Readonly<Record<string, string>>;
    readonly networks: Readonly<Record<string, readonly string[]>>;
    readonly mounts: readonly string[];
    readonly publishedPorts: readonly string[];
    readonly memoryBytes: number;
}

interface PlannedContainer {
    readonly type: string;
    readonly inputs: Record<string, any>;
}

export function declaredContainers(plan: { resources: PlannedContainer[] }): Record<string, ContainerShape> {
    const shapes: Record<string, ContainerShape> = {};
    for (const resource of plan.resources.filter((r) => r.type === "docker:index/container:Container")) {
        const inputs = resource.inputs;
        shapes[inputs.name] = {
            image: inputs.image,
            envNames: (inputs.envs as string[]).map((entry) => entry.slice(0, entry.indexOf("="))).sort(),
            labels: Object.fromEntries((inputs.labels as { label: string; value: string }[]).map((l) => [l.label, l.value])),
            networks: Object.fromEntries((inputs.networksAdvanced as { name: string; aliases?: string[] }[]).map((n) => [n.name, [...(n.aliases ?? [])].sort()])),
            mounts: [
                ...(inputs.volumes as { volumeName?: string; hostPath?: string; containerPath: string; readOnly?: boolean }[]).map(
                    (v) => `${v.volumeName ?? v.hostPath}:${v.containerPath}${v.readOnly ? ":ro" : ""}`,
                ),
            ].sort(),
            publishedPorts: (inputs.ports as { internal: number; external: number; ip?: string }[]).map((p) => `${p.ip ?? "0.0.0.0"}:${p.external}->${p.internal}`).sort(),
            memoryBytes: Number(inputs.memory) * 1024 * 1024,
        };
    }
    return shapes;
}

/** The same shape read from the engine; env names only (values hold secrets). */
export function actualContainer(name: string, imageEnvNames: ReadonlySet<string>): ContainerShape {
    const c = inspect("container", name);
    const envNames = (c.Config.Env as string[]).map((entry) => entry.slice(0, entry.indexOf("="))).filter((n) => !imageEnvNames.has(n)).sort();
    const labels = Object.fromEntries(Object.entries(c.Config.Labels as Record<string, string>).filter(([key]) => key.startsWith("supabase-fleet.") && key !== "supabase-fleet.test-image-key"));
    const networks = Object.fromEntries(
        Object.entries(c.NetworkSettings.Networks as Record<string, { Aliases: string[] | null }>).map(([net, n]) => [net, (n.Aliases ?? []).filter((a) => a !== name && !/^[0-9a-f]{12}$/.test(a)).sort()]),
    );
    const mounts = (c.Mounts as { Type: string; Name?: string; Source: string; Destination: string; RW: boolean }[])
        .map((m) => `${m.Type === "volume" ? m.Name : m.Source}:${m.Destination}${m.RW ? "" : ":ro"}`)
        .sort();
    const publishedPorts: string[] = [];
    for (const [internal, bindings] of Object.entries((c.HostConfig.PortBindings ?? {}) as Record<string, { HostIp: string; HostPort: string }[]>)) {
        for (const b of bindings) publishedPorts.push(`${b.HostIp || "0.0.0.0"}:${b.HostPort}->${internal.split("/")[0]}`);
    }
    return { image: c.Config.Image, envNames, labels, networks, mounts, publishedPorts: publishedPorts.sort(), memoryBytes: c.HostConfig.Memory };
}
