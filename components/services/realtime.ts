/** realtime: websocket broadcasts, presence and database changes. */
import { INTERNAL_PORTS } from "../catalog.js";
import { SUPABASE_ADMIN, POSTGRES_DB, asymmetricKeyEnv, healthCheck } from "./shared.js";
import type { ServiceModule } from "./types.js";

/** The tenant `SEED_SELF_HOST` creates; Kong reaches it by a host name starting with this id. */
export const REALTIME_TENANT_ID = "realtime-dev";

export const realtime: ServiceModule = {
    service: "realtime",
    dependsOn: () => ["db"], // runs its migrations on start
    define: (context) => ({
        env: {
            PORT: String(INTERNAL_PORTS.realtime),
            DB_HOST: "db",
            DB_PORT: String(INTERNAL_PORTS.db),
            DB_USER: SUPABASE_ADMIN,
            DB_PASSWORD: context.secrets.postgresPassword,
            DB_NAME: POSTGRES_DB,
            DB_AFTER_CONNECT_QUERY: "SET search_path TO _realtime",
            // Upstream's .env names it REALTIME_DB_ENC_KEY: 16 characters, used as an AES-128 key.
            DB_ENC_KEY: context.secrets.realtimeDbEncKey,
            API_JWT_SECRET: context.secrets.jwtSecret,
            // 0.8.2: the verifiers' key set (an object, as realtime requires).
            ...asymmetricKeyEnv(context, { API_JWT_JWKS: (keys) => keys.jwtJwks }),
            SECRET_KEY_BASE: context.secrets.secretKeyBase,
            METRICS_JWT_SECRET: context.secrets.jwtSecret,
            ERL_AFLAGS: "-proto_dist inet_tcp",
            DNS_NODES: "''",
            RLIMIT_NOFILE: "10000",
            APP_NAME: "realtime",
            SEED_SELF_HOST: "true",
            RUN_JANITOR: "true",
            DISABLE_HEALTHCHECK_LOGGING: "true",
            // Only for the health check below, which must present a valid key.
            SUPABASE_ANON_KEY: context.secrets.anonKey,
        },
        healthcheck: healthCheck(
            [
                "CMD-SHELL",
                `curl -sSfL --head -o /dev/null -H "Authorization: Bearer $SUPABASE_ANON_KEY" http://localhost:${INTERNAL_PORTS.realtime}/api/tenants/${REALTIME_TENANT_ID}/health`,
            ],
            { interval: "30s", timeout: "5s", retries: 3, startPeriod: "10s" },
        ),
        volumes: [],
        uploads: [],
        publishedPorts: [],
        waitTimeoutSeconds: 180,
    }),
};
