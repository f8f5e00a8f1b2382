/** analytics: Logflare, storing logs in the `_supabase` database. */
import { INTERNAL_PORTS } from "../catalog.js";
import { isAtLeast } from "../releases.js";
import { SUPABASE_ADMIN, SUPABASE_INTERNAL_DB, databaseUrl, healthCheck } from "./shared.js";
import type { ServiceModule } from "./types.js";

const ANALYTICS_SCHEMA = "_analytics";

export const analytics: ServiceModule = {
    service: "analytics",
    dependsOn: () => ["db"],
    define: (context) => ({
        env: {
            LOGFLARE_NODE_HOST: "127.0.0.1",
            DB_USERNAME: SUPABASE_ADMIN,
            DB_DATABASE: SUPABASE_INTERNAL_DB,
            DB_HOSTNAME: "db",
            DB_PORT: String(INTERNAL_PORTS.db),
            DB_PASSWORD: context.secrets.postgresPassword,
            DB_SCHEMA: ANALYTICS_SCHEMA,
            LOGFLARE_PUBLIC_ACCESS_TOKEN: context.secrets.logflarePublicAccessToken,
            LOGFLARE_PRIVATE_ACCESS_TOKEN: context.secrets.logflarePrivateAccessToken,
            LOGFLARE_SINGLE_TENANT: "true",
            LOGFLARE_SUPABASE_MODE: "true",
            POSTGRES_BACKEND_URL: databaseUrl(context, { scheme: "postgresql", user: SUPABASE_ADMIN, database: SUPABASE_INTERNAL_DB }),
            POSTGRES_BACKEND_SCHEMA: ANALYTICS_SCHEMA,
            LOGFLARE_FEATURE_FLAG_OVERRIDE: "multibackend=true",
        },
        healthcheck: isAtLeast(context.release, "0.8.2")
            ? healthCheck(["CMD-SHELL", `curl -sSfL -o /dev/null http://localhost:${INTERNAL_PORTS.analytics}/health`], { retries: 10, startPeriod: "30s" })
            : healthCheck(["CMD", "curl", "--fail", `http://localhost:${INTERNAL_PORTS.analytics}/health`], { retries: 10 }),
        volumes: [],
        uploads: [],
        publishedPorts: [],
        // Logflare runs its migrations on the first start.
        waitTimeoutSeconds: 300,
    }),
};
