/**
 * Which changes can destroy tenant data. A tenant's data lives in named Docker volumes, which are resources
 * of their own: replacing or deleting such a volume (a rename is a replacement) leaves an empty one or none.
 * Replacing a container that mounts one is a restart, not data loss: the new container mounts the same
 * volume. Only the first is flagged, so that a port or image change does not teach reviewers to ignore the flag.
 */
import { DATA_VOLUMES } from "../../components/services/types.js";
import type { ChangeOp } from "./types.js";
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
    if (change.type !== VOLUME_TYPE || !isDataVolumeName(change.name)) return undefined;
    const verb = change.op === "replace" ? "replaces" : "deletes";
    if (change.retainOnDelete) {
        return `${verb} data volume \`${change.name}\`; retainOnDelete leaves the old volume and its data on the host, outside Pulumi`;
    }
    return change.op === "replace" ? `replaces data volume \`${change.name}\`: the new volume starts empty` : `deletes data volume \`${change.name}\``;
}
