/** Labelled Docker objects whose tenant has no stack any more (left behind by a failed destroy, say). */

export interface TenantObjects {
    readonly ref: string;
    /** Names, sorted. */
    readonly containers: readonly string[];
    readonly networks: readonly string[];
    readonly volumes: readonly string[];
}

export interface TenantObjectLister {
    tenantObjects(): Promise<TenantObjects[]>;
}

/** Tenants present on the host but not in `knownRefs` (the stacks), with their object names, sorted by ref. */
export async function findOrphans(host: TenantObjectLister, knownRefs: Iterable<string>): Promise<TenantObjects[]> {
    const known = new Set(knownRefs);
    return (await host.tenantObjects()).filter((objects) => !known.has(objects.ref));
}
