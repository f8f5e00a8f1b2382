/**
 * What each local test image must be, derived from the component's own catalog so that the images
 * carry exactly the pinned names and ports the program declares. db is Debian's PostgreSQL with an
 * entrypoint that does what the supabase/postgres image does; auth is the real GoTrue; every other
 * service is a stand-in (standin/server.mjs) that checks the environment its service requires.
 *
 * `npx tsx test/e2e/images/standins.ts` prints the plan as JSON for build.sh.
 */
import { INTERNAL_PORTS, SERVICE_NAMES, type ServiceName } from "../../../components/catalog.js";
import { LOG_SOCKET_PATH_IN_VECTOR } from "../../../components/files/vectorConfig.js";
import { ENVOY_CONFIG } from "../../../components/gateway/envoyConfig.js";
import { RELEASES, RELEASE_NAMES, postgresMajorOfImage } from "../../../components/releases.js";

export interface StandInSpec {
    readonly service: ServiceName;
    /** Variables the real service cannot start without; the stand-in exits 1 when one is unset. */
    readonly requiredEnv: readonly string[];
    /** A variable holding a file path that must exist when the stand-in starts (kong's rendered config). */
    readonly requiredFileEnv?: string;
    readonly ports: readonly number[];
    /** Paths at which the stand-in tool is installed: the commands health checks and start commands call. */
    readonly tools: readonly string[];
    readonly entrypoint?: readonly string[];
    readonly cmd: readonly string[];
    /** envoy: the image carries envoy-check, which the `envoy` tool runs on the config before serving. */
    readonly configCheck?: "envoy";
    /** vector: the unix socket to take fluentd-forward log records on; `GET /standin/received` lists them. */
    readonly fluentSocket?: string;
}

const TOOL = "/opt/standin/tool.sh";

export const STAND_INS: Readonly<Record<Exclude<ServiceName, "db" | "auth">, Omit<StandInSpec, "service">>> = {
    analytics: {
        requiredEnv: ["DB_HOSTNAME", "DB_PASSWORD", "LOGFLARE_PUBLIC_ACCESS_TOKEN", "LOGFLARE_PRIVATE_ACCESS_TOKEN", "POSTGRES_BACKEND_URL"],
        ports: [INTERNAL_PORTS.analytics],
        tools: [],
        cmd: ["node", "/opt/standin/server.mjs"],
    },
    kong: {
        requiredEnv: ["KONG_DECLARATIVE_CONFIG", "SUPABASE_ANON_KEY", "SUPABASE_SERVICE_KEY", "DASHBOARD_PASSWORD"],
        requiredFileEnv: "KONG_DECLARATIVE_CONFIG",
        ports: [INTERNAL_PORTS.kongHttp, INTERNAL_PORTS.kongHttps],
        // kong:2.8 starts through /docker-entrypoint.sh, kong/kong:3.9 through /entrypoint.sh.
        tools: ["/docker-entrypoint.sh", "/entrypoint.sh", "/usr/local/bin/kong"],
        cmd: ["/docker-entrypoint.sh", "kong", "docker-start"],
    },
    rest: {
        requiredEnv: ["PGRST_DB_URI", "PGRST_DB_SCHEMAS", "PGRST_JWT_SECRET"],
        ports: [INTERNAL_PORTS.rest, INTERNAL_PORTS.restAdmin],
        tools: ["/usr/local/bin/postgrest"],
        cmd: ["postgrest"],
    },
    realtime: {
        requiredEnv: ["DB_HOST", "DB_PASSWORD", "API_JWT_SECRET", "SECRET_KEY_BASE", "DB_ENC_KEY"],
        ports: [INTERNAL_PORTS.realtime],
        tools: [],
        cmd: ["node", "/opt/standin/server.mjs"],
    },
    storage: {
        // The JWT secret's name differs by release (PGRST_JWT_SECRET, then AUTH_JWT_SECRET).
        requiredEnv: ["DATABASE_URL", "ANON_KEY", "SERVICE_KEY", "STORAGE_BACKEND"],
        ports: [INTERNAL_PORTS.storage],
        tools: [],
        cmd: ["node", "/opt/standin/server.mjs"],
    },
    imgproxy: { requiredEnv: ["IMGPROXY_BIND"], ports: [INTERNAL_PORTS.imgproxy], tools: ["/usr/local/bin/imgproxy"], cmd: ["imgproxy"] },
    meta: {
        requiredEnv: ["PG_META_DB_HOST", "PG_META_DB_PASSWORD", "PG_META_PORT"],
        ports: [INTERNAL_PORTS.meta],
        tools: [],
        cmd: ["node", "/opt/standin/server.mjs"],
    },
    functions: {
        requiredEnv: ["JWT_SECRET", "SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY"],
        ports: [INTERNAL_PORTS.functions],
        tools: ["/usr/local/bin/edge-runtime"],
        entrypoint: ["/usr/local/bin/edge-runtime"],
        cmd: ["start"],
    },
    studio: {
        requiredEnv: ["STUDIO_PG_META_URL", "POSTGRES_PASSWORD", "SUPABASE_URL", "SUPABASE_ANON_KEY"],
        ports: [INTERNAL_PORTS.studio],
        tools: [],
        cmd: ["node", "/opt/standin/server.mjs"],
    },
    supavisor: {
        requiredEnv: ["DATABASE_URL", "SECRET_KEY_BASE", "VAULT_ENC_KEY", "API_JWT_SECRET"],
        ports: [INTERNAL_PORTS.supavisorApi, INTERNAL_PORTS.supavisorSession, INTERNAL_PORTS.supavisorTransaction],
        tools: ["/app/bin/migrate", "/app/bin/supavisor", "/app/bin/server"],
        cmd: ["/app/bin/server"],
    },
    vector: {
        requiredEnv: ["LOGFLARE_PUBLIC_ACCESS_TOKEN"],
        ports: [INTERNAL_PORTS.vectorApi],
        tools: ["/usr/local/bin/vector"],
        entrypoint: ["/usr/local/bin/vector"],
        cmd: ["--config", "/etc/vector/vector.yml"],
        fluentSocket: LOG_SOCKET_PATH_IN_VECTOR,
    },
};

/**
 * The gateway slot's image when a tenant runs Envoy. At start it checks the filled-in config with
 * envoy-check (Envoy 1.39's protos and load-time checks) and exits 1 if Envoy would refuse it, so a
 * deploy of a config Envoy cannot load fails here as it would with the real image.
 */
export const ENVOY_STAND_IN: Omit<StandInSpec, "service"> = {
    requiredEnv: ["ANON_KEY", "SERVICE_ROLE_KEY", "DASHBOARD_BASIC_AUTH"],
    ports: [INTERNAL_PORTS.kongHttp],
    tools: ["/usr/local/bin/envoy"],
    cmd: ["envoy", "-c", ENVOY_CONFIG.bootstrapPath],
    configCheck: "envoy",
};

export interface ImagePlanEntry {
    readonly image: string;
    readonly kind: "db" | "auth" | "standin";
    /** db only: the PostgreSQL major the image must run (build.sh: 15 on Debian bookworm, 17 on trixie). */
    readonly postgresMajor?: number;
    readonly spec?: StandInSpec;
}

/** Every pinned image of every release, once, with the kind of local image that stands under its name. */
export function imagePlan(): ImagePlanEntry[] {
    const entries = new Map<string, ImagePlanEntry>();
    for (const release of RELEASE_NAMES) {
        for (const service of SERVICE_NAMES) {
            const image = RELEASES[release].images[service];
            if (entries.has(image)) continue;
            if (service === "db") entries.set(image, { image, kind: "db", postgresMajor: postgresMajorOfImage(image) ?? RELEASES[release].postgresMajor });
            else if (service === "auth") entries.set(image, { image, kind: "auth" });
            else entries.set(image, { image, kind: "standin", spec: { service, ...STAND_INS[service] } });
        }
        // The gateway slot's image for tenants that run Envoy.
        const envoy = RELEASES[release].envoyImage;
        if (envoy !== undefined && !entries.has(envoy)) entries.set(envoy, { image: envoy, kind: "standin", spec: { service: "kong", ...ENVOY_STAND_IN } });
        // The db images a release runs for data directories of an older major.
        for (const [major, image] of Object.entries(RELEASES[release].olderPostgresImages ?? {})) {
            if (!entries.has(image)) entries.set(image, { image, kind: "db", postgresMajor: Number(major) });
        }
    }
    return [...entries.values()];
}

export { TOOL as STAND_IN_TOOL };

if (process.argv[1]?.endsWith("standins.ts")) process.stdout.write(`${JSON.stringify(imagePlan())}\n`);
