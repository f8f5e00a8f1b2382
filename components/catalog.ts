/**
 * The services of one Supabase project and the facts about them that more than one module needs and
 * that no release changes: the DNS alias other services use and the default resource limits. Images
 * come with a release (components/releases.ts); everything else about a service lives in its own file
 * under `components/services/`.
 */

export const SERVICE_NAMES = [
    "db",
    "vector",
    "analytics",
    "kong",
    "auth",
    "rest",
    "realtime",
    "storage",
    "imgproxy",
    "meta",
    "functions",
    "studio",
    "supavisor",
] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Services that exist only while analytics is enabled (vector ships logs to analytics). */
export const ANALYTICS_SERVICES: readonly ServiceName[] = ["analytics", "vector"];

export interface ServiceCatalogEntry {
    /** Hostname the other services use to reach it inside the tenant network. */
    readonly alias: string;
    readonly defaultMemoryMb: number;
    /** Docker `--cpus` limit, as a decimal string. */
    readonly defaultCpus: string;
}

export const SERVICE_CATALOG: Readonly<Record<ServiceName, ServiceCatalogEntry>> = {
    db: { alias: "db", defaultMemoryMb: 2048, defaultCpus: "2" },
    vector: { alias: "vector", defaultMemoryMb: 256, defaultCpus: "0.5" },
    analytics: { alias: "analytics", defaultMemoryMb: 1024, defaultCpus: "1" },
    kong: { alias: "kong", defaultMemoryMb: 512, defaultCpus: "1" },
    auth: { alias: "auth", defaultMemoryMb: 256, defaultCpus: "0.5" },
    rest: { alias: "rest", defaultMemoryMb: 256, defaultCpus: "1" },
    // Realtime reads its tenant id from the first label of the Host header: Kong must call it by this name.
    realtime: { alias: "realtime-dev.supabase-realtime", defaultMemoryMb: 512, defaultCpus: "1" },
    storage: { alias: "storage", defaultMemoryMb: 512, defaultCpus: "1" },
    imgproxy: { alias: "imgproxy", defaultMemoryMb: 512, defaultCpus: "1" },
    meta: { alias: "meta", defaultMemoryMb: 256, defaultCpus: "0.5" },
    functions: { alias: "functions", defaultMemoryMb: 512, defaultCpus: "1" },
    studio: { alias: "studio", defaultMemoryMb: 512, defaultCpus: "1" },
    supavisor: { alias: "supavisor", defaultMemoryMb: 512, defaultCpus: "1" },
};

/** Ports inside the tenant network. Host ports are per tenant and come from the config. */
export const INTERNAL_PORTS = {
    db: 5432,
    vectorApi: 9001,
    analytics: 4000,
    kongHttp: 8000,
    kongHttps: 8443,
    auth: 9999,
    rest: 3000,
    restAdmin: 3001,
    realtime: 4000,
    storage: 5000,
    imgproxy: 5001,
    meta: 8080,
    functions: 9000,
    studio: 3000,
    supavisorApi: 4000,
    supavisorSession: 5432,
    supavisorTransaction: 6543,
} as const;

/** Label keys put on every container, network and volume of a tenant. */
export const LABELS = {
    tenant: "supabase-fleet.tenant",
    service: "supabase-fleet.service",
    managedBy: "supabase-fleet.managed-by",
} as const;
