/**
 * Which changes can destroy tenant data. A tenant's data lives in named Docker volumes; replacing or deleting
 * such a volume leaves an empty one (or none), and replacing or deleting a container that mounts one is
 * where a mistake with that volume shows first, so both are flagged for a reviewer.
 */
import { DATA_VOLUMES } from "../../components/services/types.js";
import type { ChangeOp } from "./types.js";
import { isPlainObject } from "./values.js";
import { TYPE_TOKENS } from "../../components/typeTokens.js";

/** Volumes that hold data (`<ref>-<suffix>`), from the program itself; `deno-cache` is a cache and can be rebuilt. */
export const DATA_VOLUME_SUFFIXES: readonly string[] = DATA_VOLUMES;

export const VOLUME_TYPE = TYPE_TOKENS.volume;
export const CONTAINER_TYPE = TYPE_TOKENS.container;

export function isDataVolumeName(name: string): boolean {
    return DATA_VOLUME_SUFFIXES.some((suffix) => name.endsWith(`-${suffix}`) && name.length > suffix.length + 1);
}

export interface RiskInput {
    op: ChangeOp;
    type: string;
    name: string;
    oldInputs?: unknown;
    newInputs?: unknown;
    /** The old resource has `retainOnDelete`: Pulumi forgets it instead of deleting it. */
    retainOnDelete?: boolean;
}

/** The reason a change risks data, or undefined when it does not. */
export function dataLossRisk(change: RiskInput): string | undefined {
    if (change.op !== "replace" && change.op !== "delete") return undefined;
    const verb = change.op === "replace" ? "replaces" : "deletes";
    if (change.type === VOLUME_TYPE && isDataVolumeName(change.name)) {
        if (change.retainOnDelete) {
            return `${verb} data volume \`${change.name}\`; retainOnDelete leaves the old volume and its data on the host, outside Pulumi`;
        }
        return change.op === "replace"
            ? `replaces data volume \`${change.name}\`: the new volume starts empty`
            : `deletes data volume \`${change.name}\``;
    }
    if (change.type === CONTAINER_TYPE) {
        const mounted = mountedDataVolumes(change.oldInputs, change.newInputs);
        if (mounted.length > 0) {
            const list = mounted.map((m) => `\`${m}\``).join(", ");
            return `${verb} a container that mounts data volume${mounted.length > 1 ? "s" : ""} ${list}`;
        }
    }
    return undefined;
}

/** Data volumes a container mounts, read from its `volumes` (volumeName) and `mounts` (type volume) inputs. */
export function mountedDataVolumes(...inputsList: unknown[]): string[] {
    const names = new Set<string>();
    for (const inputs of inputsList) {
        if (!isPlainObject(inputs)) continue;
        for (const entry of asArray(inputs["volumes"])) {
            const name = isPlainObject(entry) ? entry["volumeName"] : undefined;
            if (typeof name === "string" && isDataVolumeName(name)) names.add(name);
        }
        for (const entry of asArray(inputs["mounts"])) {
            if (!isPlainObject(entry) || entry["type"] !== "volume") continue;
            const source = entry["source"];
            if (typeof source === "string" && isDataVolumeName(source)) names.add(source);
        }
    }
    return [...names].sort();
}

function asArray(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}
