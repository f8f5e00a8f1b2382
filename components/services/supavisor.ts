/**
 * supavisor: the connection pooler, the tenant's only Postgres entry point from outside. On start it
 * migrates its metadata, creates this tenant's pool if absent, then serves.
 */
import { INTERNAL_PORTS } from "../catalog.js";
import { POSTGRES_DB, SUPABASE_ADMIN, SUPABASE_INTERNAL_DB, databaseUrl, healthCheck } from "./shared.js";
import type { ServiceModule } from "./types.js";

export const supavisor: ServiceModule = {
    service: "supavisor",
    dependsOn: () => ["db"], // migrates its metadata into _supabase on start
    define: (context) => {
        const bootstrap = context.files.supavisorBootstrap;
        const { settings, secrets } = context;
        return {
            env: {
                PORT: String(INTERNAL_PORTS.supavisorApi),
                POSTGRES_PORT: String(INTERNAL_PORTS.db),
                POSTGRES_DB: POSTGRES_DB,
                POSTGRES_PASSWORD: secrets.postgresPassword,
                DATABASE_URL: databaseUrl(context, { scheme: "ecto", user: SUPABASE_ADMIN, database: SUPABASE_INTERNAL_DB }),
                CLUSTER_POSTGRES: "true",
                SECRET_KEY_BASE: secrets.secretKeyBase,
                VAULT_ENC_KEY: secrets.vaultEncKey,
                // The pooler's own API secret: the tenant's JWT secret would let it forge any session.
                API_JWT_SECRET: secrets.poolerApiJwtSecret,
                METRICS_JWT_SECRET: secrets.poolerApiJwtSecret,
                REGION: "local",
                ERL_AFLAGS: "-proto_dist inet_tcp",
                // Clients log in as postgres.<ref>; the ref is unique in the fleet.
                POOLER_TENANT_ID: settings.ref,
                POOLER_DEFAULT_POOL_SIZE: String(settings.poolerDefaultPoolSize),
                POOLER_MAX_CLIENT_CONN: String(settings.poolerMaxClientConnections),
                POOLER_POOL_MODE: settings.poolerMode,
                DB_POOL_SIZE: String(settings.poolerDbPoolSize),
            },
            command: ["sh", "-c", `/app/bin/migrate && /app/bin/supavisor eval "$(cat ${bootstrap.path})" && exec /app/bin/server`],
            healthcheck: healthCheck(["CMD", "curl", "-sSfL", "--head", "-o", "/dev/null", `http://127.0.0.1:${INTERNAL_PORTS.supavisorApi}/api/health`]),
            volumes: [],
            uploads: [{ path: bootstrap.path, content: bootstrap.content }],
            publishedPorts: [
                { internal: INTERNAL_PORTS.supavisorSession, external: settings.postgresPort },
                { internal: INTERNAL_PORTS.supavisorTransaction, external: settings.poolerTransactionPort },
            ],
            waitTimeoutSeconds: 180,
        };
    },
};
