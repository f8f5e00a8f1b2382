/**
 * A tenant's lifecycle state, derived from two facts: its stack's last operation (what Pulumi did)
 * and the containers the Docker daemon actually runs (what is there now). A pure function, so the
 * whole table of cases is tested directly.
 */
import type { LastOperation } from "./engine.js";
import type { ContainerState } from "./ports.js";

export const TENANT_STATES = ["PROVISIONING", "STARTING", "ACTIVE", "PAUSED", "FAILED", "UNKNOWN"] as const;
export type TenantState = (typeof TENANT_STATES)[number];

export interface StateFacts {
    readonly ref: string;
    readonly lastOperation?: Pick<LastOperation, "kind" | "result">;
    /** `paused: true` in the stack config. */
    readonly paused: boolean;
    /** Services the tenant's config deploys (analytics and vector only when analytics is on). */
    readonly expectedServices: readonly string[];
    /** Container state per service label; undefined when the Docker daemon could not be asked. */
    readonly services?: Readonly<Record<string, ContainerState>>;
}

export interface DerivedState {
    readonly state: TenantState;
    /** One line for the operator: why this state, and what to run if it needs action. */
    readonly reason: string;
}

export function deriveTenantState(facts: StateFacts): DerivedState {
    const { ref, lastOperation, paused, expectedServices, services } = facts;
    const byState = groupServices(expectedServices, services ?? {});
    const present = expectedServices.length - byState.missing.length;

    if (lastOperation?.result === "in-progress") {
        const what = lastOperation.kind === "destroy" ? "destroy" : lastOperation.kind;
        if (services === undefined || present === 0) return { state: "PROVISIONING", reason: `${what} in progress` };
        return { state: "STARTING", reason: `${what} in progress; ${present} of ${expectedServices.length} containers exist` };
    }
    if (lastOperation === undefined || lastOperation.result === "not-started") {
        return { state: "PROVISIONING", reason: `stack created, not deployed yet: run fleet up ${ref}` };
    }
    if (lastOperation.result === "failed") {
        return { state: "FAILED", reason: `last ${lastOperation.kind} failed: run fleet up ${ref} to retry (fleet preview ${ref} shows what it would do)` };
    }
    if (lastOperation.kind === "destroy") {
        return { state: "PROVISIONING", reason: `resources destroyed, stack kept: run fleet up ${ref} to deploy again` };
    }
    if (services === undefined) {
        return { state: "UNKNOWN", reason: "the Docker host cannot be reached, so container states are unknown" };
    }

    const down = [...byState.stopped, ...byState.missing];
    if (paused) {
        const stillUp = expectedServices.filter((s) => !down.includes(s));
        if (stillUp.length === 0) return { state: "PAUSED", reason: "paused: every container is stopped; data is kept" };
        return { state: "FAILED", reason: `marked paused but still up: ${stillUp.join(", ")}; run fleet pause ${ref} again` };
    }
    if (byState.unhealthy.length > 0) {
        return { state: "FAILED", reason: `unhealthy: ${byState.unhealthy.join(", ")}` };
    }
    if (byState.starting.length > 0) {
        return { state: "STARTING", reason: `waiting for health: ${byState.starting.join(", ")}` };
    }
    if (down.length === 0) return { state: "ACTIVE", reason: "every container is running" };
    if (byState.missing.length === expectedServices.length) {
        return { state: "FAILED", reason: `no containers found on the Docker host: run fleet up ${ref}` };
    }
    const parts = [
        byState.stopped.length ? `stopped: ${byState.stopped.join(", ")}` : "",
        byState.missing.length ? `missing: ${byState.missing.join(", ")}` : "",
    ].filter(Boolean);
    return { state: "FAILED", reason: `${parts.join("; ")}; run fleet resume ${ref} (stopped) or fleet up ${ref} (missing)` };
}

function groupServices(expected: readonly string[], services: Readonly<Record<string, ContainerState>>): Record<ContainerState, string[]> {
    const groups: Record<ContainerState, string[]> = { running: [], healthy: [], unhealthy: [], starting: [], stopped: [], missing: [] };
    for (const service of expected) groups[services[service] ?? "missing"].push(service);
    return groups;
}
