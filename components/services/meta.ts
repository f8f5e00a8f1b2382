/** meta: postgres-meta, the database introspection API behind Studio. */
import { INTERNAL_PORTS } from "../catalog.js";
import { isAtLeast } from "../releases.js";
import { DASHBOARD_DB_USER, POSTGRES_DB, SUPABASE_ADMIN, nodeFetchHealthCheck } from "./shared.js";
import type { ServiceModule } from "./types.js";

export const meta: ServiceModule = {
    service: "meta",
    dependsOn: () => ["db"],
    define: (context) => ({
        env: {
            PG_META_PORT: String(INTERNAL_PORTS.meta),
            PG_META_DB_HOST: "db",
            PG_META_DB_PORT: String(INTERNAL_PORTS.db),
            PG_META_DB_NAME: POSTGRES_DB,
            // From 0.8.2 on (upstream 0.6.0) the dashboard's queries run as postgres, not as the image's superuser.
            PG_META_DB_USER: isAtLeast(context.release, "0.8.2") ? DASHBOARD_DB_USER : SUPABASE_ADMIN,
            PG_META_DB_PASSWORD: context.secrets.postgresPassword,
            CRYPTO_KEY: context.secrets.pgMetaCryptoKey,
        },
        // Upstream has none; the image ships Node.js, and /health answers without a database round trip.
        healthcheck: nodeFetchHealthCheck(`http://localhost:${INTERNAL_PORTS.meta}/health`),
        volumes: [],
        uploads: [],
        publishedPorts: [],
        waitTimeoutSeconds: 60,
    }),
};
