/**
 * The psql scripts that move a live database to a new secret (run by components/liveDbSync.ts).
 *
 * The Postgres password, in one transaction, so a failure changes nothing: every role that shares the password (upstream's `utils/db-passwd.sh`
 * list, where the role exists), the pooler's stored tenant (its schema is emptied; supavisor creates
 * the tenant again from its new environment when it restarts) and analytics' stored backend URLs.
 * The new password comes from the environment of psql (NEW_PGPASSWORD), never from the script text.
 */
import { readEnvironment, SERVICE_STATE_SCHEMAS } from "./dbInitSql.js";

/** The environment variable the script reads the new password from. */
export const NEW_PASSWORD_ENV = "NEW_PGPASSWORD";
/** The database the script connects to: the pooler's and analytics' schemas live there. */
export const PASSWORD_SYNC_DATABASE = SERVICE_STATE_SCHEMAS.pooler.database;

/** Every role that logs in (or may) with the tenant's Postgres password, as upstream rotates them. */
export const SHARED_PASSWORD_ROLES = [
    "anon",
    "authenticated",
    "authenticator",
    "dashboard_user",
    "pgbouncer",
    "postgres",
    "service_role",
    "supabase_admin",
    "supabase_auth_admin",
    "supabase_functions_admin",
    "supabase_replication_admin",
    "supabase_storage_admin",
] as const;

const POOLER_SCHEMA = SERVICE_STATE_SCHEMAS.pooler.schema;
const ANALYTICS_BACKENDS = `${SERVICE_STATE_SCHEMAS.analytics.schema}.source_backends`;
const roleList = SHARED_PASSWORD_ROLES.map((role) => `'${role}'`).join(", ");

/** The session of a script that handles a secret. */
const SECRET_SESSION = [
    // An error reports its message only: never the statement text, which would hold the secret.
    "\\set VERBOSITY terse",
    "\\set SHOW_CONTEXT never",
    "SET client_min_messages = warning;",
    // Nor does the server log it: not as a statement, nor as the text of a failed one.
    "SET log_statement = 'none';",
    "SET log_min_error_statement = panic;",
];

export const PASSWORD_SYNC_SQL = [
    "-- Rendered by supabase-fleet: applies a new Postgres password to the live database.",
    ...SECRET_SESSION,
    readEnvironment("newpass", NEW_PASSWORD_ENV),
    `SELECT to_regclass('${ANALYTICS_BACKENDS}') IS NOT NULL AS has_analytics_backends \\gset`,
    "BEGIN;",
    `SELECT format('ALTER ROLE %I WITH PASSWORD %L', rolname, :'newpass') FROM pg_roles WHERE rolname IN (${roleList}) ORDER BY rolname \\gexec`,
    // The pooler keeps the password encrypted in its own tables: only it can write them again.
    `DROP SCHEMA IF EXISTS ${POOLER_SCHEMA} CASCADE;`,
    `CREATE SCHEMA ${POOLER_SCHEMA} AUTHORIZATION supabase_admin;`,
    "\\if :has_analytics_backends",
    // Only the password part of each postgres backend's URL changes (no regex replacement string, so
    // no character of the password is special).
    `UPDATE ${ANALYTICS_BACKENDS} SET config = jsonb_set(config::jsonb, '{url}', to_jsonb(substring(config::jsonb->>'url' from '^[^:]+://[^:@/]+:') || :'newpass' || substring(config::jsonb->>'url' from '^[^:]+://[^:@/]+:[^@]*(@.*)$')))`,
    "  WHERE type = 'postgres' AND config::jsonb->>'url' ~ '^[^:]+://[^:@/]+:[^@]*@';",
    "\\endif",
    "COMMIT;",
    "",
].join("\n");

/** The environment variable the JWT-secret script reads the new secret from. */
export const NEW_JWT_SECRET_ENV = "NEW_JWT_SECRET";

/**
 * The JWT secret of a release before 0.8.2, where the database keeps a copy for SQL to read
 * (`app.settings.jwt_secret`, set by the init scripts on an empty data directory only). Realtime
 * keeps one too, in its tenant row, but its start seeds that row again from its environment.
 */
export const JWT_SECRET_SYNC_SQL = [
    "-- Rendered by supabase-fleet: applies a new JWT secret to the live database.",
    ...SECRET_SESSION,
    readEnvironment("jwt_secret", NEW_JWT_SECRET_ENV),
    `ALTER DATABASE postgres SET "app.settings.jwt_secret" TO :'jwt_secret';`,
    "",
].join("\n");

/** Release 0.8.2 and later: the database's copy of the JWT secret, as older init files set it, goes. */
export const JWT_SECRET_COPY_REMOVAL_SQL = ['-- Rendered by supabase-fleet: 0.8.2 keeps no copy of the JWT secret in the database.', 'ALTER DATABASE postgres RESET "app.settings.jwt_secret";', ""].join("\n");
