/**
 * Which changes can destroy tenant data. A tenant's data lives in named Docker volumes, which are resources
 * of their own: replacing or deleting such a volume (a rename is a replacement) leaves an empty one or none.
 * Replacing a container that mounts one is a restart, not data loss: the new container mounts the same
 * volume. The exception is the database moving to another PostgreSQL major version: the new server cannot
 * read the old data directory. Only these are flagged, so that a port or image change does not teach
 * reviewers to ignore the flag.
 */
import { DATA_VOLUMES } from "../../components/services/types.js";
import type { ChangeOp } from "./types.js";
import { TYPE_TOKENS } from "../../components/typeTokens.js";
import { LABELS } from "../../components/catalog.js";

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
    if (change.type === CONTAINER_TYPE && change.op === "replace") return postgresUpgradeRisk(change);
    if (change.type !== VOLUME_TYPE || !isDataVolumeName(change.name)) return undefined;
    const verb = change.op === "replace" ? "replaces" : "deletes";
    if (change.retainOnDelete) {
        return `${verb} data volume \`${change.name}\`; retainOnDelete leaves the old volume and its data on the host, outside Pulumi`;
    }
    return change.op === "replace" ? `replaces data volume \`${change.name}\`: the new volume starts empty` : `deletes data volume \`${change.name}\``;
}

/** The db container's image moving across PostgreSQL major versions (the tag starts with the version). */
function postgresUpgradeRisk(change: RiskInput): string | undefined {
    if (serviceOf(change.oldInputs) !== "db") return undefined;
    const from = postgresMajor(change.oldInputs);
    const to = postgresMajor(change.newInputs);
    if (from === undefined || to === undefined || from === to) return undefined;
    return `moves the database from PostgreSQL ${from} to ${to}: the new server cannot read the existing data directory; dump the database before the change and restore it after`;
}

function serviceOf(inputs: unknown): string | undefined {
    const labels = (inputs as { labels?: unknown } | undefined)?.labels;
    if (!Array.isArray(labels)) return undefined;
    const entry = labels.find((item) => (item as { label?: unknown }).label === LABELS.service) as { value?: unknown } | undefined;
    return typeof entry?.value === "string" ? entry.value : undefined;
}

/** `supabase/postgres:15.8.1.085` → 15; undefined for a tag that does not start with a version. */
function postgresMajor(inputs: unknown): number | undefined {
    const image = (inputs as { image?: unknown } | undefined)?.image;
    if (typeof image !== "string") return undefined;
    const tag = /:(\d+)[^:/]*$/.exec(image);
    return tag ? Number(tag[1]) : undefined;
}
