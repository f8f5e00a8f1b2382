/** db: PostgreSQL with Supabase's extensions; the only holder of tenant data besides storage. */
import { INTERNAL_PORTS } from "../catalog.js";
import { isAtLeast } from "../releases.js";
import { POSTGRES_DB, healthCheck } from "./shared.js";
import type { ServiceModule } from "./types.js";

export const db: ServiceModule = {
    service: "db",
    dependsOn: () => [],
    define: (context) => ({
        env: {
            POSTGRES_HOST: "/var/run/postgresql",
            PGPORT: String(INTERNAL_PORTS.db),
            POSTGRES_PORT: String(INTERNAL_PORTS.db),
            PGPASSWORD: context.secrets.postgresPassword,
            POSTGRES_PASSWORD: context.secrets.postgresPassword,
            PGDATABASE: POSTGRES_DB,
            POSTGRES_DB: POSTGRES_DB,
            // Read by the init SQL on the first start only. From 0.8.2 on the JWT secret is no database
            // setting any SQL could read, so the container does not get it either.
            ...(isAtLeast(context.release, "0.8.2") ? {} : { JWT_SECRET: context.secrets.jwtSecret }),
            JWT_EXP: String(context.settings.jwtExpirySeconds),
        },
        command: ["postgres", "-c", "config_file=/etc/postgresql/postgresql.conf", "-c", "log_min_messages=fatal"],
        healthcheck: healthCheck(["CMD", "pg_isready", "-U", "postgres", "-h", "localhost"], { interval: "5s", retries: 10 }),
        volumes: [
            { volume: "db-data", containerPath: "/var/lib/postgresql/data" },
            // Holds the pgsodium root key: losing it makes every Vault secret unreadable.
            { volume: "db-config", containerPath: "/etc/postgresql-custom" },
        ],
        uploads: context.files.dbInitScripts.map((file) => ({ path: file.path, content: file.content })),
        publishedPorts: [],
        // The first start initialises the cluster and runs the init SQL.
        waitTimeoutSeconds: 300,
    }),
};
