/**
 * The services of one Supabase project and the facts about them that more than one module needs:
 * the pinned image (one coherent upstream release, February 2026), the DNS alias other services use,
 * and the default resource limits. Everything else about a service lives in its own file under
 * `components/services/`.
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
    /** Image pinned to the release this project's wiring was written against. */
    readonly image: string;
    /** Hostname the other services use to reach it inside the tenant network. */
    readonly alias: string;
    readonly defaultMemoryMb: number;
    /** Docker `--cpus` limit, as a decimal string. */
    readonly defaultCpus: string;
}

export const SERVICE_CATALOG: Readonly<Record<ServiceName, ServiceCatalogEntry>> = {
    db: { image: "supabase/postgres:15.8.1.085", alias: "db", defaultMemoryMb: 2048, defaultCpus: "2" },
    vector: { image: "timberio/vector:0.53.0-alpine", alias: "vector", defaultMemoryMb: 256, defaultCpus: "0.5" },
    analytics: { image: "supabase/logflare:1.31.2", alias: "analytics", defaultMemoryMb: 1024, defaultCpus: "1" },
    kong: { image: "kong:2.8.1", alias: "kong", defaultMemoryMb: 512, defaultCpus: "1" },
    auth: { image: "supabase/gotrue:v2.186.0", alias: "auth", defaultMemoryMb: 256, defaultCpus: "0.5" },
    rest: { image: "postgrest/postgrest:v14.5", alias: "rest", defaultMemoryMb: 256, defaultCpus: "1" },
    // Realtime reads its tenant id from the first label of the Host header: Kong must call it by this name.
    realtime: {
        image: "supabase/realtime:v2.78.15",
        alias: "realtime-dev.supabase-realtime",
        defaultMemoryMb: 512,
        defaultCpus: "1",
    },
    storage: { image: "supabase/storage-api:v1.44.2", alias: "storage", defaultMemoryMb: 512, defaultCpus: "1" },
    imgproxy: { image: "darthsim/imgproxy:v3.30.1", alias: "imgproxy", defaultMemoryMb: 512, defaultCpus: "1" },
    meta: { image: "supabase/postgres-meta:v0.95.2", alias: "meta", defaultMemoryMb: 256, defaultCpus: "0.5" },
    functions: { image: "supabase/edge-runtime:v1.70.3", alias: "functions", defaultMemoryMb: 512, defaultCpus: "1" },
    studio: {
        image: "supabase/studio:2026.02.16-sha-26c615c",
        alias: "studio",
        defaultMemoryMb: 512,
        defaultCpus: "1",
    },
    supavisor: { image: "supabase/supavisor:2.7.4", alias: "supavisor", defaultMemoryMb: 512, defaultCpus: "1" },
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
