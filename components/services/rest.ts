/** rest: PostgREST, the REST API over the public schemas. */
import { INTERNAL_PORTS } from "../catalog.js";
import { isAtLeast, type Release } from "../releases.js";
import { asymmetricKeyEnv, databaseUrl, healthCheck } from "./shared.js";
import type { ServiceModule } from "./types.js";

/**
 * Schemas the API exposes; Studio shows the same list, so it is defined once here. From 0.8.2 on
 * (upstream 0.7.0) `storage` is no longer exposed: its tables are storage's own business.
 */
export function apiSchemas(release: Release): string {
    return isAtLeast(release, "0.8.2") ? "public,graphql_public" : "public,storage,graphql_public";
}
export const API_MAX_ROWS = "1000";
export const API_EXTRA_SEARCH_PATH = "public";

export const rest: ServiceModule = {
    service: "rest",
    dependsOn: () => ["db"],
    define: (context) => {
        const current = isAtLeast(context.release, "0.8.2");
        return {
            env: {
                PGRST_DB_URI: databaseUrl(context, { scheme: "postgres", user: "authenticator" }),
                PGRST_DB_SCHEMAS: apiSchemas(context.release),
                PGRST_DB_MAX_ROWS: API_MAX_ROWS,
                PGRST_DB_EXTRA_SEARCH_PATH: API_EXTRA_SEARCH_PATH,
                PGRST_DB_ANON_ROLE: "anon",
                // PostgREST takes a secret, a JWK or a key set here: from 0.8.2 on the set (EC public key and the secret).
                PGRST_JWT_SECRET: context.secrets.jwtSecret,
                ...asymmetricKeyEnv(context, { PGRST_JWT_SECRET: (keys) => keys.jwtJwks }),
                PGRST_DB_USE_LEGACY_GUCS: "false",
                // Sets app.settings.jwt_secret in every request's transaction, where any SQL can read it:
                // dropped from 0.8.2 on, as upstream did.
                ...(current ? {} : { PGRST_APP_SETTINGS_JWT_SECRET: context.secrets.jwtSecret }),
                PGRST_APP_SETTINGS_JWT_EXP: String(context.settings.jwtExpirySeconds),
                // The admin server is what `postgrest --ready` asks. On localhost only: its /config and
                // /schema_cache are no business of the other containers on the tenant network.
                PGRST_ADMIN_SERVER_PORT: String(INTERNAL_PORTS.restAdmin),
                PGRST_ADMIN_SERVER_HOST: "localhost",
            },
            command: ["postgrest"],
            healthcheck: healthCheck(["CMD", "postgrest", "--ready"], current ? { interval: "5s", timeout: "5s", retries: 3 } : {}),
            volumes: [],
            uploads: [],
            publishedPorts: [],
            waitTimeoutSeconds: 120,
        };
    },
};
