/**
 * The psql script that moves a live database to a new Postgres password, in one transaction, so a
 * failure changes nothing: every role that shares the password (upstream's `utils/db-passwd.sh`
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

export const PASSWORD_SYNC_SQL = [
    "-- Rendered by supabase-fleet: applies a new Postgres password to the live database.",
    // An error reports its message only: never the statement text, which would hold the password.
    "\\set VERBOSITY terse",
    "\\set SHOW_CONTEXT never",
    "SET client_min_messages = warning;",
    // Nor does the server log it: not as a statement, nor as the text of a failed one.
    "SET log_statement = 'none';",
    "SET log_min_error_statement = panic;",
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
