/** studio: the dashboard, served behind Kong's basic auth. */
import * as pulumi from "@pulumi/pulumi";
import { INTERNAL_PORTS, SERVICE_CATALOG } from "../catalog.js";
import { isAtLeast } from "../releases.js";
import { API_EXTRA_SEARCH_PATH, API_MAX_ROWS, apiSchemas } from "./rest.js";
import { ANALYTICS_URL, DASHBOARD_DB_USER, POSTGRES_DB, asymmetricKeyEnv, boolText, internalGatewayUrl, nodeFetchHealthCheck } from "./shared.js";
import type { ServiceContext, ServiceModule } from "./types.js";

function analyticsEnv(context: ServiceContext): Record<string, pulumi.Input<string>> {
    const enabled = context.settings.analyticsEnabled;
    if (isAtLeast(context.release, "0.8.2")) {
        // Upstream 0.5.0 moved logs into an overlay that adds exactly these.
        const logs = { LOGFLARE_URL: ANALYTICS_URL, LOGFLARE_PRIVATE_ACCESS_TOKEN: context.secrets.logflarePrivateAccessToken };
        return { ENABLED_FEATURES_LOGS_ALL: boolText(enabled), ...(enabled ? logs : {}) };
    }
    if (!enabled) return { NEXT_PUBLIC_ENABLE_LOGS: boolText(false) };
    return {
        NEXT_PUBLIC_ENABLE_LOGS: boolText(true),
        NEXT_ANALYTICS_BACKEND_PROVIDER: "postgres",
        LOGFLARE_URL: ANALYTICS_URL,
        LOGFLARE_PUBLIC_ACCESS_TOKEN: context.secrets.logflarePublicAccessToken,
        LOGFLARE_PRIVATE_ACCESS_TOKEN: context.secrets.logflarePrivateAccessToken,
    };
}

export const studio: ServiceModule = {
    service: "studio",
    // Studio calls meta and the gateway per request; it can come up before them. Upstream's logs overlay
    // makes it wait for analytics; not here, since from 0.8.2 on the gateway waits for Studio and must
    // never wait for analytics.
    dependsOn: () => [],
    define: (context) => {
        const current = isAtLeast(context.release, "0.8.2");
        return {
            env: {
                // IPv4: with "::" the server does not start on a host without IPv6.
                HOSTNAME: "0.0.0.0",
                STUDIO_PG_META_URL: `http://${SERVICE_CATALOG.meta.alias}:${INTERNAL_PORTS.meta}`,
                POSTGRES_PORT: String(INTERNAL_PORTS.db),
                POSTGRES_HOST: "db",
                POSTGRES_DB: POSTGRES_DB,
                POSTGRES_PASSWORD: context.secrets.postgresPassword,
                ...(current ? { POSTGRES_USER_READ_WRITE: DASHBOARD_DB_USER } : {}),
                PG_META_CRYPTO_KEY: context.secrets.pgMetaCryptoKey,
                PGRST_DB_SCHEMAS: apiSchemas(context.release),
                PGRST_DB_MAX_ROWS: API_MAX_ROWS,
                PGRST_DB_EXTRA_SEARCH_PATH: API_EXTRA_SEARCH_PATH,
                DEFAULT_ORGANIZATION_NAME: context.settings.studioOrganizationName,
                DEFAULT_PROJECT_NAME: context.settings.studioProjectName,
                SUPABASE_URL: internalGatewayUrl(context.release),
                SUPABASE_PUBLIC_URL: context.apiUrl,
                SUPABASE_ANON_KEY: context.secrets.anonKey,
                SUPABASE_SERVICE_KEY: context.secrets.serviceRoleKey,
                ...asymmetricKeyEnv(context, { SUPABASE_PUBLISHABLE_KEY: (keys) => keys.publishableKey, SUPABASE_SECRET_KEY: (keys) => keys.secretKey }),
                AUTH_JWT_SECRET: context.secrets.jwtSecret,
                SNIPPETS_MANAGEMENT_FOLDER: "/app/snippets",
                EDGE_FUNCTIONS_MANAGEMENT_FOLDER: "/app/edge-functions",
                ...(context.secrets.openaiApiKey === undefined ? {} : { OPENAI_API_KEY: context.secrets.openaiApiKey }),
                ...analyticsEnv(context),
            },
            healthcheck: nodeFetchHealthCheck(
                `http://localhost:${INTERNAL_PORTS.studio}/api/platform/profile`,
                current ? { interval: "5s", timeout: "10s", retries: 3, startPeriod: "20s" } : { interval: "5s", retries: 20 },
            ),
            volumes: [
                { volume: "studio-snippets", containerPath: "/app/snippets" },
                // Studio only lists the functions from 0.8.2 on; they are deployed to the functions volume.
                { volume: "functions", containerPath: "/app/edge-functions", ...(current ? { readOnly: true } : {}) },
            ],
            uploads: [],
            publishedPorts: [],
            waitTimeoutSeconds: 180,
        };
    },
};
