/** rest: PostgREST, the REST API over the public schemas. */
import { INTERNAL_PORTS } from "../catalog.js";
import { databaseUrl, healthCheck } from "./shared.js";
import type { ServiceModule } from "./types.js";

/** Schemas the API exposes; Studio shows the same list, so it is defined once here. */
export const API_SCHEMAS = "public,storage,graphql_public";
export const API_MAX_ROWS = "1000";
export const API_EXTRA_SEARCH_PATH = "public";

export const rest: ServiceModule = {
    service: "rest",
    dependsOn: ["db"],
    define: (context) => ({
        env: {
            PGRST_DB_URI: databaseUrl(context, { scheme: "postgres", user: "authenticator" }),
            PGRST_DB_SCHEMAS: API_SCHEMAS,
            PGRST_DB_MAX_ROWS: API_MAX_ROWS,
            PGRST_DB_EXTRA_SEARCH_PATH: API_EXTRA_SEARCH_PATH,
            PGRST_DB_ANON_ROLE: "anon",
            PGRST_JWT_SECRET: context.secrets.jwtSecret,
            PGRST_DB_USE_LEGACY_GUCS: "false",
            PGRST_APP_SETTINGS_JWT_SECRET: context.secrets.jwtSecret,
            PGRST_APP_SETTINGS_JWT_EXP: String(context.settings.jwtExpirySeconds),
            // The admin server is what `postgrest --ready` asks.
            PGRST_ADMIN_SERVER_PORT: String(INTERNAL_PORTS.restAdmin),
        },
        command: ["postgrest"],
        healthcheck: healthCheck(["CMD", "postgrest", "--ready"]),
        volumes: [],
        uploads: [],
        publishedPorts: [],
        waitTimeoutSeconds: 120,
    }),
};
