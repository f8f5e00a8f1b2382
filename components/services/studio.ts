/** studio: the dashboard, served behind Kong's basic auth. */
import * as pulumi from "@pulumi/pulumi";
import { INTERNAL_PORTS, SERVICE_CATALOG } from "../catalog.js";
import { API_EXTRA_SEARCH_PATH, API_MAX_ROWS, API_SCHEMAS } from "./rest.js";
import { ANALYTICS_URL, INTERNAL_KONG_URL, POSTGRES_DB, boolText, nodeFetchHealthCheck } from "./shared.js";
import type { ServiceContext, ServiceModule } from "./types.js";

function analyticsEnv(context: ServiceContext): Record<string, pulumi.Input<string>> {
    if (!context.settings.analyticsEnabled) return { NEXT_PUBLIC_ENABLE_LOGS: boolText(false) };
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
    // Studio calls meta and Kong per request; it can come up before them.
    dependsOn: [],
    define: (context) => ({
        env: {
            HOSTNAME: "::",
            STUDIO_PG_META_URL: `http://${SERVICE_CATALOG.meta.alias}:${INTERNAL_PORTS.meta}`,
            POSTGRES_PORT: String(INTERNAL_PORTS.db),
            POSTGRES_HOST: "db",
            POSTGRES_DB: POSTGRES_DB,
            POSTGRES_PASSWORD: context.secrets.postgresPassword,
            PG_META_CRYPTO_KEY: context.secrets.pgMetaCryptoKey,
            PGRST_DB_SCHEMAS: API_SCHEMAS,
            PGRST_DB_MAX_ROWS: API_MAX_ROWS,
            PGRST_DB_EXTRA_SEARCH_PATH: API_EXTRA_SEARCH_PATH,
            DEFAULT_ORGANIZATION_NAME: context.settings.studioOrganizationName,
            DEFAULT_PROJECT_NAME: context.settings.studioProjectName,
            SUPABASE_URL: INTERNAL_KONG_URL,
            SUPABASE_PUBLIC_URL: context.apiUrl,
            SUPABASE_ANON_KEY: context.secrets.anonKey,
            SUPABASE_SERVICE_KEY: context.secrets.serviceRoleKey,
            AUTH_JWT_SECRET: context.secrets.jwtSecret,
            SNIPPETS_MANAGEMENT_FOLDER: "/app/snippets",
            EDGE_FUNCTIONS_MANAGEMENT_FOLDER: "/app/edge-functions",
            ...(context.secrets.openaiApiKey === undefined ? {} : { OPENAI_API_KEY: context.secrets.openaiApiKey }),
            ...analyticsEnv(context),
        },
        healthcheck: nodeFetchHealthCheck(`http://localhost:${INTERNAL_PORTS.studio}/api/platform/profile`, { interval: "5s", retries: 20 }),
        volumes: [
            { volume: "studio-snippets", containerPath: "/app/snippets" },
            { volume: "functions", containerPath: "/app/edge-functions" },
        ],
        uploads: [],
        publishedPorts: [],
        waitTimeoutSeconds: 180,
    }),
};
