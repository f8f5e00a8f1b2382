/**
 * `fleet status` and `fleet list`: what each tenant is (stack facts + live container states) and how
 * to reach it, as text shaped like `supabase status` or as JSON.
 */
import { ANALYTICS_SERVICES, SERVICE_NAMES } from "../../components/catalog.js";
import { mapLimit } from "./concurrency.js";
import type { LastOperation, StackOutput } from "./engine.js";
import type { Fleet } from "./fleet.js";
import { dockerConnectionOf, dockerHostOf, effectivePorts } from "./fleetConfigs.js";
import type { ContainerState } from "./ports.js";
import { findTenant } from "./registry.js";
import { isPaused, type TenantPorts } from "./stackConfig.js";
import { deriveTenantState, type TenantState } from "./states.js";
import { firstLine, renderTable } from "./table.js";
import { tenantUrls, type TenantUrls } from "./urls.js";

export interface TenantStatus {
    readonly ref: string;
    readonly state: TenantState;
    readonly reason: string;
    readonly dockerHost: string;
    readonly paused: boolean;
    readonly urls: TenantUrls;
    readonly ports: TenantPorts;
    /** Container state per expected service; null when the Docker host could not be asked. */
    readonly services: Readonly<Record<string, ContainerState>> | null;
    readonly dockerError?: string;
    readonly lastOperation?: { kind: LastOperation["kind"]; result: LastOperation["result"]; startTime: string; endTime?: string };
    /** Listed in fleet.yaml. */
    readonly managed: boolean;
}

export function expectedServices(config: Readonly<Record<string, string>>): string[] {
    const analytics = config.analyticsEnabled !== "false";
    return SERVICE_NAMES.filter((service) => analytics || !ANALYTICS_SERVICES.includes(service));
}

export async function collectStatus(fleet: Fleet, refs: readonly string[], parallel: number): Promise<TenantStatus[]> {
    return mapLimit(refs, parallel, async (ref) => {
        const [config, lastOperation] = await Promise.all([fleet.engine.getConfig(ref), fleet.engine.lastOperation(ref)]);
        const outputs: Record<string, StackOutput> = await fleet.engine.outputs(ref, false).catch(() => ({}));
        const dockerHost = dockerHostOf(config);
        const connection = dockerConnectionOf(config);
        const expected = expectedServices(config);
        let services: Record<string, ContainerState> | undefined;
        let dockerError: string | undefined;
        try {
            const found = await fleet.docker(connection).serviceStates(ref);
            services = Object.fromEntries(expected.map((service) => [service, found[service] ?? "missing"]));
        } catch (error) {
            dockerError = error instanceof Error ? error.message : String(error);
        }
        const paused = isPaused(config);
        const derived = deriveTenantState({
            ref,
            paused,
            expectedServices: expected,
            ...(lastOperation ? { lastOperation } : {}),
            ...(services ? { services } : {}),
        });
        const ports = effectivePorts(config);
        return {
            ref,
            state: derived.state,
            reason: dockerError && derived.state === "UNKNOWN" ? `${derived.reason} (${firstLine(dockerError)})` : derived.reason,
            dockerHost,
            paused,
            urls: tenantUrls(ref, config, ports, dockerHost, outputs),
            ports,
            services: services ?? null,
            ...(dockerError ? { dockerError } : {}),
            ...(lastOperation
                ? {
                      lastOperation: {
                          kind: lastOperation.kind,
                          result: lastOperation.result,
                          startTime: lastOperation.startTime.toISOString(),
                          ...(lastOperation.endTime ? { endTime: lastOperation.endTime.toISOString() } : {}),
                      },
                  }
                : {}),
            managed: findTenant(fleet.registry, ref) !== undefined,
        };
    });
}

export function renderStatus(statuses: readonly TenantStatus[]): string {
    return statuses.map(renderOne).join("\n\n");
}

function renderOne(status: TenantStatus): string {
    const field = (label: string, value: string) => `${label.padStart(15)}: ${value}`;
    const last = status.lastOperation;
    const lines = [
        `${status.ref}  ${status.state}  (${status.reason})`,
        field("API URL", status.urls.api),
        field("Studio URL", status.urls.studio),
        field("DB URL", status.urls.database),
        field("Docker host", status.dockerHost),
        field("Last operation", last ? `${last.kind} ${last.result} (${last.endTime ?? last.startTime})` : "none"),
    ];
    if (status.services) {
        const rows = Object.entries(status.services).map(([service, state]) => [service, state]);
        lines.push("", indent(renderTable(["SERVICE", "STATE"], rows)));
    }
    return lines.join("\n");
}

function indent(text: string): string {
    return text
        .split("\n")
        .map((line) => `  ${line}`)
        .join("\n");
}

export interface ListEntry {
    readonly ref: string;
    /** in-registry: stack and registry entry; unmanaged: stack only; not-created: registry entry only. */
    readonly membership: "in-registry" | "unmanaged" | "not-created";
    readonly host?: string;
    readonly lastUpdate?: string;
    readonly updateInProgress: boolean;
    readonly resourceCount?: number;
}

export async function listTenants(fleet: Fleet): Promise<ListEntry[]> {
    const stacks = await fleet.engine.listStacks();
    const entries: ListEntry[] = await mapLimit(stacks, 8, async (stack) => {
        const registered = findTenant(fleet.registry, stack.ref);
        // A placed tenant's host is in its stack's record only.
        const host = registered ? (registered.host?.name ?? (await fleet.engine.getConfig(stack.ref)).fleetHost) : undefined;
        return {
            ref: stack.ref,
            membership: registered ? "in-registry" : "unmanaged",
            ...(host ? { host } : {}),
            ...(stack.lastUpdate ? { lastUpdate: stack.lastUpdate.toISOString() } : {}),
            updateInProgress: stack.updateInProgress,
            ...(stack.resourceCount !== undefined ? { resourceCount: stack.resourceCount } : {}),
        };
    });
    for (const tenant of fleet.registry?.tenants ?? []) {
        if (!stacks.some((stack) => stack.ref === tenant.ref)) {
            entries.push({ ref: tenant.ref, membership: "not-created", ...(tenant.host ? { host: tenant.host.name } : {}), updateInProgress: false });
        }
    }
    return entries.sort((a, b) => a.ref.localeCompare(b.ref));
}

export function renderList(entries: readonly ListEntry[]): string {
    const rows = entries.map((entry) => [
        entry.ref,
        entry.membership,
        entry.host ?? "-",
        entry.resourceCount !== undefined ? String(entry.resourceCount) : "-",
        entry.updateInProgress ? "update in progress" : (entry.lastUpdate ?? "never"),
    ]);
    return renderTable(["TENANT", "REGISTRY", "HOST", "RESOURCES", "LAST UPDATE"], rows);
}
