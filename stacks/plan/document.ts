/**
 * The plan document: a stack's desired state as the program registered it, with every secret and
 * every value known only after deployment masked. Documented in docs/offline-plan.md; its shape is a contract
 * (snapshots, PR previews), so change it only together with that page.
 */

/** A JSON value after masking: no Outputs, no secrets, no undefined. */
export type PlanValue = null | boolean | number | string | PlanValue[] | { [key: string]: PlanValue };

export interface PlanResource {
    /** Pulumi type token, e.g. `docker:index/container:Container`. */
    readonly type: string;
    /** Logical name (the last part of the URN). */
    readonly name: string;
    /** Logical name of the parent resource; null only for the stack itself. */
    readonly parent: string | null;
    /** Logical names of the resources in its `dependsOn` option, sorted. */
    readonly dependsOn: string[];
    /** The inputs the program registered, under the provider SDK's own names, masked. */
    readonly inputs: { [key: string]: PlanValue };
}

export interface PlanDocument {
    readonly stack: string;
    readonly project: string;
    /** Sorted by type, then name. */
    readonly resources: PlanResource[];
    /** The stack outputs, masked. */
    readonly outputs: { [key: string]: PlanValue };
}

/** JSON with object keys sorted at every level and a final newline: byte-identical for equal documents. */
export function stableJson(value: unknown): string {
    return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value !== null && typeof value === "object") {
        const sorted: Record<string, unknown> = {};
        for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
        return sorted;
    }
    return value;
}

/** Resources in document order: by type token, then by logical name (code-point order, locale-free). */
export function compareResources(a: Pick<PlanResource, "type" | "name">, b: Pick<PlanResource, "type" | "name">): number {
    if (a.type !== b.type) return a.type < b.type ? -1 : 1;
    if (a.name !== b.name) return a.name < b.name ? -1 : 1;
    return 0;
}
