/**
 * Named releases: each one is a coherent upstream set, the image of every service. The wiring that goes
 * with a release (env names and values, gateway routes, init files, health checks) lives in the service
 * and file modules, which ask `isAtLeast(release, name)`; one release's wiring never meets another's
 * images. Documented in docs/releases.md.
 */
import type { ServiceName } from "./catalog.js";

/** Oldest first: `isAtLeast` relies on this order, so a new release goes at the end. */
export const RELEASE_NAMES = ["feb-2026", "0.8.2"] as const;
export type ReleaseName = (typeof RELEASE_NAMES)[number];

/** What `fleet create` and `fleet sync` record in a new tenant's stack. */
export const DEFAULT_RELEASE: ReleaseName = "0.8.2";

/**
 * What a stack without a release setting runs. Frozen forever: every stack created before releases
 * existed ran this set, so an existing tenant never moves because the default for new tenants moved.
 */
export const UNSET_RELEASE: ReleaseName = "feb-2026";

/**
 * The gateways a tenant's `kong` service slot can run (the slot keeps its name, so its container and
 * everything that addresses it stay the same whichever runs). Both render from one route table.
 */
export const GATEWAY_NAMES = ["kong", "envoy"] as const;
export type GatewayName = (typeof GATEWAY_NAMES)[number];

/**
 * What a stack without a gateway setting runs. Frozen, like UNSET_RELEASE: every stack made before
 * Envoy was a choice ran Kong, so none switches gateway because the default for new tenants moved.
 */
export const UNSET_GATEWAY: GatewayName = "kong";

export interface Release {
    readonly name: ReleaseName;
    /** Where the set comes from upstream. */
    readonly upstream: string;
    /** Major version of the db image: a data directory only ever opens with the major that wrote it. */
    readonly postgresMajor: number;
    readonly images: Readonly<Record<ServiceName, string>>;
    /**
     * The db image for a data directory of an older major that was not upgraded yet (upstream's
     * docker-compose.pg15.yml): a tenant moves to the release's other images and keeps its data as it is.
     */
    readonly olderPostgresImages?: Readonly<Record<number, string>>;
    /** The Envoy image, for a release that has Envoy as a gateway. */
    readonly envoyImage?: string;
    /** The gateway fleet create and sync record for a new tenant on this release: upstream's default. */
    readonly newTenantGateway: GatewayName;
    /** What an existing tenant meets when it moves into this release from the one before, for the upgrade preview. */
    readonly upgradeNotes: readonly string[];
}

export const RELEASES: Readonly<Record<ReleaseName, Release>> = {
    "feb-2026": {
        name: "feb-2026",
        upstream: "supabase/supabase docker/ folder, February 2026",
        postgresMajor: 15,
        images: {
            db: "supabase/postgres:15.8.1.085",
            vector: "timberio/vector:0.53.0-alpine",
            analytics: "supabase/logflare:1.31.2",
            kong: "kong:2.8.1",
            auth: "supabase/gotrue:v2.186.0",
            rest: "postgrest/postgrest:v14.5",
            realtime: "supabase/realtime:v2.78.15",
            storage: "supabase/storage-api:v1.44.2",
            imgproxy: "darthsim/imgproxy:v3.30.1",
            meta: "supabase/postgres-meta:v0.95.2",
            functions: "supabase/edge-runtime:v1.70.3",
            studio: "supabase/studio:2026.02.16-sha-26c615c",
            supavisor: "supabase/supavisor:2.7.4",
        },
        newTenantGateway: "kong",
        upgradeNotes: [],
    },
    "0.8.2": {
        name: "0.8.2",
        upstream: "supabase/supabase tag self-hosted/v0.8.2 (images as 0.8.1): Envoy by default, Kong 3.9 as its docker-compose.kong.yml",
        postgresMajor: 17,
        images: {
            db: "supabase/postgres:17.6.1.136",
            vector: "timberio/vector:0.53.0-alpine",
            analytics: "supabase/logflare:1.50.10",
            // Upstream's Kong variant of 0.8.x (docker-compose.kong.yml), for tenants with gateway kong.
            kong: "kong/kong:3.9.3",
            auth: "supabase/gotrue:v2.196.0",
            rest: "postgrest/postgrest:v14.17",
            realtime: "supabase/realtime:v2.134.10",
            storage: "supabase/storage-api:v1.74.0",
            imgproxy: "darthsim/imgproxy:v3.31.4",
            meta: "supabase/postgres-meta:v0.99.0",
            functions: "supabase/edge-runtime:v1.76.2",
            studio: "supabase/studio:2026.09.07-sha-7996410",
            supavisor: "supabase/supavisor:2.9.12",
        },
        olderPostgresImages: { 15: "supabase/postgres:15.8.1.085" },
        // Upstream's default gateway from 0.8.0 on (api-gw), and so the one new tenants get.
        envoyImage: "envoyproxy/envoy:v1.39.1",
        newTenantGateway: "envoy",
        upgradeNotes: [
            "every container is replaced (new images and wiring), the db included: connections drop once while it restarts",
            "a Postgres 15 data directory stays on Postgres 15 (supabase/postgres:15.8.1.085, as upstream's docker-compose.pg15.yml); its data is not converted",
            "new API keys appear beside the legacy anon and service-role keys, which keep working: an ES256 signing key, the publishable and secret keys",
            "the database's copy of the JWT secret (app.settings.jwt_secret) is removed: SQL that reads it gets nothing from then on",
            "the gateway stays Kong (now 3.9) unless the tenant sets gateway: envoy, upstream's default, from the same routes (docs/gateway.md)",
        ],
    },
};

/** Whether `release` is `name` or a later one: the wiring a release changed stays in every later one. */
export function isAtLeast(release: Release, name: ReleaseName): boolean {
    return RELEASE_NAMES.indexOf(release.name) >= RELEASE_NAMES.indexOf(name);
}

/**
 * The image a service runs: a per-service override of the tenant, else the release's; for the db,
 * the release's image for the major of the tenant's data directory when that is an older one; for the
 * gateway's slot, the image of the tenant's gateway.
 */
export function serviceImage(release: Release, service: ServiceName, override: string | undefined, dataPostgresMajor = release.postgresMajor, gateway: GatewayName = UNSET_GATEWAY): string {
    if (override !== undefined) return override;
    if (service === "kong" && gateway === "envoy") return release.envoyImage ?? release.images.kong;
    if (service === "db" && dataPostgresMajor !== release.postgresMajor) return release.olderPostgresImages?.[dataPostgresMajor] ?? release.images.db;
    return release.images[service];
}

/** Postgres major of a supabase/postgres-style tag (`…:17.6.1.136` → 17); undefined for a digest or another scheme. */
export function postgresMajorOfImage(image: string): number | undefined {
    const tag = /:(\d+)\.[\w.-]*$/.exec(image.split("@")[0]!);
    return tag ? Number(tag[1]) : undefined;
}
