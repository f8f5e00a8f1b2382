/**
 * The renderer's own model: what changes in one tenant, independent of where it came from (live engine
 * events, a `pulumi preview --json` document, or two offline plan snapshots). Adapters build it; the
 * Markdown renderer only reads it.
 */

/** The four operations a reviewer cares about; everything else counts as unchanged. */
export type ChangeOp = "create" | "update" | "replace" | "delete";

/** A value as it may be shown: secret and unknown values never carry text. */
export type DisplayValue =
    | { kind: "absent" }
    | { kind: "secret" }
    | { kind: "unknown" }
    | { kind: "value"; text: string };

export interface PropertyChange {
    /** Property path in Pulumi's notation (`image`, `envs[3]`, `labels[0].value`), or `envs[NAME]`. */
    path: string;
    kind: "add" | "update" | "delete";
    forcesReplacement: boolean;
    old: DisplayValue;
    new: DisplayValue;
}

export interface ResourceChange {
    op: ChangeOp;
    /** Pulumi type token, e.g. `docker:index/container:Container`. */
    type: string;
    /** Logical name (the last URN segment); equal to the Docker name for Docker resources. */
    name: string;
    /** Top-level properties that force the replacement (replace only). */
    replaceReasons: string[];
    properties: PropertyChange[];
    /** Set when the change can destroy tenant data: says which data and how. */
    dataLossRisk?: string;
    /** Short facts worth a reviewer's eye (protected, retained on delete, ...). */
    notes: string[];
}

export interface ChangeCounts {
    create: number;
    update: number;
    replace: number;
    delete: number;
    same: number;
}

export interface TenantReport {
    ref: string;
    /** Set for a host stack (a Docker host's edge proxy, project supabase-fleet-host): counted apart from the tenants. */
    kind?: "host";
    status: "ok" | "failed";
    /** Failed tenants: the reason, as reported by the fleet or the engine. */
    error?: string;
    /** Ok tenants: counts per operation (the engine's change summary when it gave one). */
    counts?: ChangeCounts;
    changes: ResourceChange[];
    /** One-line remarks about the tenant as a whole ("new tenant", "tenant removed", warnings). */
    notes: string[];
    /** The named release the tenant runs after the change (components/releases.ts), when known. */
    release?: string;
    /** Set when the change moves the tenant to another release: the one it ran before. */
    previousRelease?: string;
}

export const EMPTY_COUNTS: Readonly<ChangeCounts> = Object.freeze({ create: 0, update: 0, replace: 0, delete: 0, same: 0 });
